// The lab page's script: the exercise list with live progress, the lesson, the Check tab and the demo of the
// selected exercise, kept up to date by the lab server's Server-Sent Events (course.yaml changes, the warm
// check/watch session, each test as it finishes). Bundled at build time (bin/build.js, esbuild, an IIFE) and
// served as /lab.js. Keyboard: every control is a button, link or form field; the tabs follow the WAI-ARIA tabs
// pattern (arrow keys move between them).

import { LAB_EVENTS, type CourseView, type TestView, type WatchView } from '../view';
import { showTest, showWatch, wireCheckButton } from './check-view';
import { DEMOS } from './demos';
import { api, byId, el, withToken } from './dom';

const STATUS: Record<CourseView['exercises'][number]['status'], { symbol: string; word: string }> = {
  done: { symbol: '✓', word: 'done' },
  current: { symbol: '▶', word: 'current' },
  failed: { symbol: '✗', word: 'not passing yet' },
  'not-started': { symbol: '○', word: 'not started' },
};

let course: CourseView | undefined;
let selected = '';
let watchedId = '';

function renderCourse(view: CourseView): void {
  course = view;
  byId('course-title').textContent = view.title;
  const error = byId('course-error');
  error.hidden = !view.error;
  error.textContent = view.error ? `course.yaml does not load (the list shows it as it was): ${view.error}` : '';
  const list = byId('exercise-list');
  list.replaceChildren(
    ...view.exercises.map((x) => {
      const li = el('li', { 'data-id': x.id, 'data-status': x.status });
      const s = STATUS[x.status];
      const button = el('button', { type: 'button', class: 'exercise' });
      if (x.id === selected) button.setAttribute('aria-current', 'page');
      button.append(
        el('span', { class: `badge ${x.status}`, 'aria-hidden': 'true' }, s.symbol),
        el('span', { class: 'ex-title' }, `${x.number}. ${x.title}`),
        el(
          'span',
          { class: 'ex-status' },
          `${s.word}${x.maxScore ? ` · best ${x.bestScore ?? 0}/${x.maxScore}` : ''}${x.attempts ? ` · ${x.attempts} attempt${x.attempts === 1 ? '' : 's'}` : ''}`,
        ),
      );
      button.addEventListener('click', () => select(x.id, true));
      li.appendChild(button);
      return li;
    }),
  );
}

const TABS = ['lesson', 'check', 'demo'] as const;
type Tab = (typeof TABS)[number];

function renderTabs(): void {
  const demo = DEMOS[selected];
  const bar = byId('tabs');
  const labels: Record<Tab, string | undefined> = { lesson: 'Lesson', check: 'Check', demo: demo?.title };
  bar.replaceChildren(
    ...TABS.filter((t) => labels[t]).map((t) => {
      const b = el(
        'button',
        { type: 'button', role: 'tab', id: `tab-${t}`, 'aria-controls': `panel-${t}`, 'aria-selected': 'false', tabindex: '-1' },
        labels[t],
      );
      b.addEventListener('click', () => showTab(t));
      b.addEventListener('keydown', (e) => {
        const shown = [...bar.querySelectorAll<HTMLButtonElement>('[role=tab]')];
        const i = shown.indexOf(b);
        const next = e.key === 'ArrowRight' ? shown[(i + 1) % shown.length] : e.key === 'ArrowLeft' ? shown[(i + shown.length - 1) % shown.length] : undefined;
        if (next) {
          e.preventDefault();
          next.focus();
          next.click();
        }
      });
      return b;
    }),
  );
  const panel = byId('panel-demo');
  if (demo) demo.mount(panel);
  else panel.replaceChildren();
}

function showTab(tab: Tab): void {
  for (const t of TABS) {
    const button = document.getElementById(`tab-${t}`);
    button?.setAttribute('aria-selected', String(t === tab));
    button?.setAttribute('tabindex', t === tab ? '0' : '-1');
    byId(`panel-${t}`).hidden = t !== tab;
  }
  history.replaceState(null, '', withToken(`?x=${encodeURIComponent(selected)}&tab=${tab}`));
}

function select(id: string, fromClick: boolean, tab: Tab = 'lesson'): void {
  selected = id;
  if (course) renderCourse(course);
  renderTabs();
  showTab(DEMOS[id] || tab !== 'demo' ? tab : 'lesson');
  const lesson = byId('lesson');
  lesson.replaceChildren(el('p', { class: 'muted' }, 'loading the lesson…'));
  api<{ id: string; html: string }>(`/api/lesson?id=${encodeURIComponent(id)}`)
    .then((answer) => {
      // Rendered by the lab server from the course's Markdown, raw HTML escaped (lesson-html.ts).
      if (answer.id === selected) lesson.innerHTML = answer.html;
    })
    .catch((err: unknown) => lesson.replaceChildren(el('p', { class: 'warn' }, `The lesson did not load: ${String(err)}`)));
  if (id !== watchedId) {
    watchedId = id;
    byId('test-list').replaceChildren();
    byId('check-status').textContent = '';
    api('/api/select', { id }).catch(() => undefined);
  }
  if (fromClick) byId('main').focus();
}

function connect(): void {
  const status = byId('connection');
  const source = new EventSource(withToken('/events'));
  source.addEventListener('open', () => (status.textContent = 'live: connected to the lab'));
  source.addEventListener('error', () => (status.textContent = 'not connected: is `npx course lab` still running? (retrying)'));
  source.addEventListener(LAB_EVENTS.course, (e) => renderCourse(JSON.parse((e as MessageEvent<string>).data) as CourseView));
  source.addEventListener(LAB_EVENTS.watch, (e) => {
    const view = JSON.parse((e as MessageEvent<string>).data) as WatchView;
    if (!selected) {
      const params = new URLSearchParams(location.search);
      const wanted = params.get('x');
      const tab = params.get('tab');
      watchedId = view.exerciseId;
      select(wanted && course?.exercises.some((x) => x.id === wanted) ? wanted : view.exerciseId, false, TABS.find((t) => t === tab) ?? 'lesson');
    }
    if (view.exerciseId === watchedId) showWatch(view);
  });
  source.addEventListener(LAB_EVENTS.test, (e) => showTest(JSON.parse((e as MessageEvent<string>).data) as TestView));
  for (const demo of Object.values(DEMOS))
    for (const [event, handle] of Object.entries(demo.events ?? {}))
      source.addEventListener(event, (e) => handle(JSON.parse((e as MessageEvent<string>).data) as unknown));
}

wireCheckButton();
connect();
