// The demo client's pages: server-rendered, no script, one inline stylesheet allowed by its hash.
import { createHash } from 'node:crypto';

const css = `
:root { --bg:#f4f5f7; --card:#fff; --text:#1d2330; --muted:#4a5468; --accent:#1f5fbf; --on-accent:#fff; --border:#c9ced8; --bad:#a4161a; --good:#1b6e3a; }
@media (prefers-color-scheme: dark) { :root { --bg:#12151c; --card:#1c212b; --text:#eef1f6; --muted:#b5bdcc; --accent:#6ea3ff; --on-accent:#0b1020; --border:#3a4252; --bad:#ff8a8f; --good:#7bd69a; } }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--text); font:16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header { background:var(--card); border-bottom:1px solid var(--border); padding:1rem 1.5rem; font-weight:700; }
main { max-width:48rem; margin:0 auto; padding:1.5rem; }
section { background:var(--card); border:1px solid var(--border); border-radius:10px; padding:1.25rem 1.5rem; margin-bottom:1rem; }
h1 { font-size:1.5rem; margin:0 0 .5rem; } h2 { font-size:1.1rem; margin:0 0 .75rem; }
.row { display:flex; flex-wrap:wrap; gap:.75rem; }
form { margin:0; }
button, .button { font:inherit; padding:.6rem 1.1rem; border-radius:6px; border:1px solid var(--accent); background:var(--accent); color:var(--on-accent); cursor:pointer; text-decoration:none; display:inline-block; }
.secondary { background:transparent; color:var(--text); border-color:var(--border); }
:focus-visible { outline:3px solid var(--accent); outline-offset:2px; }
pre { background:var(--bg); border:1px solid var(--border); border-radius:6px; padding:.75rem; overflow:auto; font-size:.9rem; }
.bad { color:var(--bad); font-weight:600; } .good { color:var(--good); font-weight:600; }
dl { display:grid; grid-template-columns:max-content 1fr; gap:.25rem 1rem; margin:0; } dt { color:var(--muted); } dd { margin:0; word-break:break-all; }
`;

const styleHash = `'sha256-${createHash('sha256').update(css).digest('base64')}'`;

/** The pages' policy; `formTargets` are origins a form may redirect to (the sign-out form goes to the server). */
export const csp = (formTargets: readonly string[]) =>
  `default-src 'none'; style-src ${styleHash}; form-action 'self' ${formTargets.join(' ')}; frame-ancestors 'none'; base-uri 'none'`;

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title><style>${css}</style></head>
<body><header>Latchkey Demo App</header><main>
${body}
</main></body></html>
`;
}

export const postButton = (action: string, csrf: string, label: string, extra = '', cls = '') =>
  `<form method="post" action="${action}"><input type="hidden" name="csrf" value="${esc(csrf)}">${extra}<button type="submit"${cls ? ` class="${cls}"` : ''}>${esc(label)}</button></form>`;

export function definitionList(claims: Record<string, unknown>): string {
  return `<dl>${Object.entries(claims)
    .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(typeof v === 'string' ? v : JSON.stringify(v))}</dd>`)
    .join('')}</dl>`;
}
