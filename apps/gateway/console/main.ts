// The web console (docs/console.md): a hash-routed page per view, drawn from the gateway's REST
// API and WebSocket endpoint exactly as any other client uses them.
import { errorBox, field, h, show } from './dom';
import { ApiError, Gateway } from './gateway';
import { Page } from './page';
import { groupPage, groupsPage } from './pages/groups';
import { overviewPage } from './pages/overview';
import { producePage } from './pages/produce';
import { recordsPage } from './pages/records';
import { tailPage } from './pages/tail';
import { topicPage } from './pages/topic';
import { topicsPage } from './pages/topics';

const routes: [RegExp, Page][] = [
  [/^\/$/, overviewPage],
  [/^\/topics$/, topicsPage],
  [/^\/topics\/([^/]+)$/, topicPage],
  [/^\/topics\/([^/]+)\/records$/, recordsPage],
  [/^\/topics\/([^/]+)\/produce$/, producePage],
  [/^\/topics\/([^/]+)\/tail$/, tailPage],
  [/^\/groups$/, groupsPage],
  [/^\/groups\/([^/]+)$/, groupPage],
];

let gateway = Gateway.fromSession();
let leave: AbortController | null = null;

async function render(): Promise<void> {
  leave?.abort();
  const current = new AbortController();
  leave = current;
  const root = document.getElementById('app');
  if (!root) return;
  drawPrincipal();
  const [path, search] = (location.hash.slice(1) || '/').split('?', 2);
  const route = routes.map(([pattern, page]) => ({ match: pattern.exec(path), page })).find((r) => r.match !== null);
  if (!route?.match) {
    show(root, h('h1', null, 'Not found'), h('p', null, 'No page at ', h('code', null, path), '. ', h('a', { href: '#/' }, 'Overview')));
    return;
  }
  // each visit draws into its own element: a page still loading when the user moved on draws into a detached one
  const view = h('div', null, h('p', { class: 'muted' }, 'Loading…'));
  show(root, view);
  try {
    await route.page({ gateway, root: view, params: route.match.slice(1).map(decodeURIComponent), query: new URLSearchParams(search ?? ''), signal: current.signal });
  } catch (error) {
    if (current.signal.aborted) return;
    if (error instanceof ApiError && error.status === 401) showLogin(view, error.message);
    else show(view, errorBox(error));
  }
}

/** Authentication is on: ask for an API key or a bearer token, kept for this tab only. */
function showLogin(root: HTMLElement, reason: string): void {
  const form = h(
    'form',
    {
      class: 'stacked',
      'aria-label': 'Sign in',
      onsubmit: (event) => {
        event.preventDefault();
        const secret = field(form, 'secret').trim();
        gateway = Gateway.remember(secret === '' ? null : { kind: field(form, 'kind') === 'bearer' ? 'bearer' : 'apiKey', secret });
        void render();
      },
    },
    h(
      'label',
      null,
      'Credential',
      h('select', { name: 'kind' }, h('option', { value: 'apiKey', selected: gateway.credential?.kind !== 'bearer' }, 'API key (X-API-Key)'), h('option', { value: 'bearer', selected: gateway.credential?.kind === 'bearer' }, 'Bearer token (Authorization)')),
    ),
    h('label', null, 'Key or token', h('input', { name: 'secret', type: 'password', autocomplete: 'off', required: true })),
    h('button', { type: 'submit' }, 'Sign in'),
  );
  show(root, h('h1', null, 'Sign in'), h('p', { class: 'muted' }, gateway.credential ? 'The gateway refused this credential: ' : 'This gateway needs credentials: ', reason), form);
}

function drawPrincipal(): void {
  const slot = document.getElementById('principal');
  if (!slot) return;
  if (!gateway.credential) return show(slot);
  show(
    slot,
    h('span', { class: 'muted' }, gateway.credential.kind === 'bearer' ? 'signed in with a bearer token ' : 'signed in with an API key '),
    h('button', {
      class: 'secondary',
      onclick: () => {
        gateway = Gateway.remember(null);
        void render();
      },
    }, 'Sign out'),
  );
}

window.addEventListener('hashchange', () => void render());
void render();
