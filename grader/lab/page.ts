// The lab page's HTML shell: no inline script or style (the Content-Security-Policy allows only this server's own
// /lab.js and /lab.css, which ship in the package: the lab works offline), the token of the URL passed on to the
// asset URLs, and a skeleton the page script fills (lab/browser/lab.ts).

import { htmlText } from '../report/escape';

/** Headers on every response: nothing may frame, sniff, cache or leak the token-carrying URL in a Referer. */
export const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'cross-origin-resource-policy': 'same-origin',
} as const;

export function pageHtml(token: string, title: string): string {
  const t = encodeURIComponent(token);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${htmlText(title)} · course lab</title>
<link rel="stylesheet" href="/lab.css?t=${t}">
<script defer src="/lab.js?t=${t}"></script>
</head>
<body>
<a class="skip" href="#main">Skip to the lesson</a>
<header class="top"><h1 id="course-title">${htmlText(title)}</h1><p id="connection" role="status" aria-live="polite">connecting…</p></header>
<div class="layout">
<nav id="exercises" aria-label="Exercises"><h2>Exercises</h2><ol id="exercise-list"></ol><p id="course-error" class="warn" hidden></p></nav>
<main id="main" tabindex="-1">
<div id="tabs" role="tablist" aria-label="Views"></div>
<section id="panel-lesson" role="tabpanel" aria-labelledby="tab-lesson"><article id="lesson" class="lesson"></article></section>
<section id="panel-check" role="tabpanel" aria-labelledby="tab-check" hidden>
<div class="check-bar"><button id="check-button" type="button">Check</button><span id="check-status" role="status" aria-live="polite"></span></div>
<p class="note">Saving your file re-checks it here, as <code>npx course watch</code> does.</p>
<div id="check-message" role="alert"></div>
<ol id="test-list" class="tests"></ol>
</section>
<section id="panel-demo" role="tabpanel" aria-labelledby="tab-demo" hidden></section>
</main>
</div>
</body>
</html>
`;
}
