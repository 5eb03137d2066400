/** Polls `condition` every 100 ms, at most `limitMs`; then returns either way (the test's own expectations say what was missing). */
export async function until(condition: () => boolean | Promise<boolean>, limitMs = 20_000): Promise<void> {
  for (const started = Date.now(); Date.now() - started < limitMs; ) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
