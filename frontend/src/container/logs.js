// Live logs over server-sent events (`GET …/logs?follow=true`).
//
// Rendering: every line is kept in `lines` (the full text, for search and the view), but the
// DOM holds at most MAX_ROWS rows: new lines are batched and appended once per animation frame
// with a DocumentFragment, and the oldest rows are removed from the top when the cap is passed.
// Search re-renders the last MAX_ROWS matching lines from `lines`. "Download full log" is the
// server's plain-text log, so it has every line even when the page has dropped rows.

const MAX_ROWS = 5000;
const MAX_KEPT = 200000; // lines kept in memory for search; older ones remain in the downloaded log

export function startLogs(api) {
  const view = document.getElementById('log-view');
  const status = document.getElementById('logs-status');
  const follow = document.getElementById('logs-follow');
  const pause = document.getElementById('logs-pause');
  const stamps = document.getElementById('logs-timestamps');
  const search = document.getElementById('logs-search');
  if (!view) return;

  const lines = [];       // {time, text, stream}
  let pending = [];       // received, not yet in the DOM
  let paused = false;
  let frame = 0;
  let source = null;
  let query = '';

  const matches = (line) => !query || line.text.toLowerCase().includes(query);

  function row(line) {
    const div = document.createElement('div');
    div.className = line.stream === 'stderr' ? 'log-line stderr' : 'log-line';
    const time = document.createElement('span');
    time.className = 'log-time';
    time.textContent = line.time + ' ';
    div.append(time, document.createTextNode(line.text));
    return div;
  }

  function flush() {
    frame = 0;
    if (paused || pending.length === 0) return;
    const batch = pending.filter(matches).slice(-MAX_ROWS);
    pending = [];
    const fragment = document.createDocumentFragment();
    for (const line of batch) fragment.append(row(line));
    view.append(fragment);
    let extra = view.childElementCount - MAX_ROWS;
    while (extra-- > 0) view.firstElementChild.remove();
    if (follow.checked) view.scrollTop = view.scrollHeight;
  }

  function schedule() {
    if (!frame) frame = requestAnimationFrame(flush);
  }

  function rerender() {
    pending = [];
    view.replaceChildren();
    const shown = [];
    for (let i = lines.length - 1; i >= 0 && shown.length < MAX_ROWS; i--) {
      if (matches(lines[i])) shown.push(lines[i]);
    }
    pending = shown.reverse();
    flush();
  }

  function receive(stream, data) {
    const space = data.indexOf(' ');
    const line = { stream, time: data.slice(0, space), text: data.slice(space + 1) };
    lines.push(line);
    if (lines.length > MAX_KEPT) lines.splice(0, lines.length - MAX_KEPT);
    pending.push(line);
    schedule();
  }

  function connect() {
    lines.length = 0;
    view.replaceChildren();
    status.textContent = 'Connecting…';
    // timestamps are always asked for; the checkbox only shows or hides them
    source = new EventSource(`${api}/logs?follow=true&timestamps=true&tail=${MAX_ROWS}`);
    source.onopen = () => { status.textContent = 'Streaming live.'; };
    source.addEventListener('stdout', (e) => receive('stdout', e.data));
    source.addEventListener('stderr', (e) => receive('stderr', e.data));
    source.addEventListener('end', () => {
      source.close();
      ended('The container has stopped; the stream ended.');
    });
    source.onerror = () => {
      // EventSource would reconnect and replay the tail; reconnect on request instead
      source.close();
      ended('The log stream was interrupted.');
    };
  }

  function ended(message) {
    status.replaceChildren(document.createTextNode(message + ' '));
    const again = document.createElement('button');
    again.type = 'button';
    again.textContent = 'Reconnect';
    again.className = 'link';
    again.addEventListener('click', connect);
    status.append(again);
  }

  pause.addEventListener('click', () => {
    paused = !paused;
    pause.setAttribute('aria-pressed', String(paused));
    pause.textContent = paused ? 'Resume' : 'Pause';
    if (!paused) schedule();
  });
  follow.addEventListener('change', () => { if (follow.checked) view.scrollTop = view.scrollHeight; });
  view.addEventListener('scroll', () => {
    // scrolling up stops following; back at the bottom follows again
    const atBottom = view.scrollHeight - view.scrollTop - view.clientHeight < 4;
    if (follow.checked !== atBottom && !paused) follow.checked = atBottom;
  });
  const applyStamps = () => view.classList.toggle('show-time', stamps.checked);
  stamps.addEventListener('change', applyStamps);
  applyStamps();
  let timer = 0;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => { query = search.value.trim().toLowerCase(); rerender(); }, 150);
  });
  window.addEventListener('pagehide', () => source && source.close());
  connect();
}
