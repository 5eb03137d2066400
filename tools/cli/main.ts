import { Command, CommanderError, Option } from 'commander';
import { exitCodeOf, explainError } from './cli-errors';
import { DEFAULT_BOOTSTRAP } from './cli-context';
import { clusterCommand } from './commands/cluster';
import { consumeCommand } from './commands/consume';
import { groupsCommand } from './commands/groups';
import { perfCommand } from './commands/perf';
import { produceCommand } from './commands/produce';
import { topicsCommand } from './commands/topics';

/** Exit code of a command line that commander cannot parse (unknown flag, missing argument, ...). */
const USAGE_EXIT_CODE = 2;

function program(): Command {
  const root = new Command('tributary')
    .description('Operate a Tributary (Kafka-compatible) cluster: topics, produce, consume, groups, cluster status, perf tests')
    .addOption(new Option('--bootstrap <host:port,...>', 'brokers to connect to').env('TRIBUTARY_BOOTSTRAP').default(DEFAULT_BOOTSTRAP))
    .option('--verbose', 'print stack traces of errors')
    // settings below are copied into every subcommand added after them
    .exitOverride()
    .configureOutput({ outputError: () => undefined })
    .showSuggestionAfterError(true)
    .showHelpAfterError(false);
  for (const command of [topicsCommand(), produceCommand(), consumeCommand(), groupsCommand(), clusterCommand(), perfCommand()]) root.addCommand(inheritSettings(command, root));
  return root;
}

/** addCommand() does not copy the parent's settings (command() does): copy them into the whole subtree. */
function inheritSettings(command: Command, parent: Command): Command {
  command.copyInheritedSettings(parent);
  for (const sub of command.commands) inheritSettings(sub, command);
  return command;
}

/** The deepest (sub)command named on the command line, for "see ... --help". */
function commandPath(root: Command, args: string[]): string {
  const names = [root.name()];
  let command = root;
  for (const arg of args) {
    const sub = command.commands.find((c) => c.name() === arg);
    if (!sub) continue;
    names.push(sub.name());
    command = sub;
  }
  return names.join(' ');
}

async function main(argv: string[]): Promise<number> {
  const root = program();
  try {
    await root.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version print themselves; parse errors get one line with the way out
      if (error.exitCode === 0 || error.code === 'commander.help' || error.code === 'commander.helpDisplayed') return error.exitCode;
      const what = error.message
        .replace(/^error: /, '')
        .replace(/\.$/, '')
        .replace(/\n\(Did you mean (.*)\?\)/, ' (did you mean $1?)');
      process.stderr.write(`error: ${what}; see '${commandPath(root, argv.slice(2))} --help'\n`);
      return USAGE_EXIT_CODE;
    }
    const options = root.opts<{ bootstrap: string; verbose?: boolean }>();
    process.stderr.write(`error: ${explainError(error, options.bootstrap)}\n`);
    if (options.verbose && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return exitCodeOf(error);
  }
}

main(process.argv).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`error: ${String(error)}\n`);
    process.exit(1);
  },
);
