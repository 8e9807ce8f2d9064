// Live logs over server-sent events (`GET …/logs?follow=true`), virtualised.
//
// Every line is kept in `lines` (up to MAX_KEPT; beyond that the oldest tenth is dropped and a
// note says so; the downloaded log still has them). The DOM holds only the rows in sight plus a
// margin: rows have one fixed height, a spacer gives the view the height of all lines, and the
// window of rows is positioned at its place in it. So 100,000 or 1,000,000 lines scroll as
// smoothly as 50. Search looks through all kept lines: matches are highlighted, Enter (or Next)
// jumps to the next one anywhere in the log, and "Only matching lines" narrows the view to them.

const MAX_KEPT = 1000000;
const OVERSCAN = 40; // rows rendered above and below the visible ones

export function startLogs(api) {
  const view = document.getElementById('log-view');
  const status = document.getElementById('logs-status');
  const follow = document.getElementById('logs-follow');
  const pause = document.getElementById('logs-pause');
  const stamps = document.getElementById('logs-timestamps');
  const search = document.getElementById('logs-search');
  const onlyMatches = document.getElementById('logs-only-matches');
  const next = document.getElementById('logs-next');
  const previous = document.getElementById('logs-previous');
  const found = document.getElementById('logs-matches');
  const note = document.getElementById('logs-dropped');
  const counter = document.getElementById('logs-count');
  if (!view) return;

  const spacer = document.createElement('div');
  spacer.className = 'log-spacer';
  const rows = document.createElement('div');
  rows.className = 'log-window';
  spacer.append(rows);
  view.replaceChildren(spacer);

  let lines = [];         // {time, text, stream}
  let dropped = 0;        // lines dropped from the front of `lines`
  let matchIndex = [];    // indices into `lines` of the lines that match `query`
  let current = -1;       // index into `lines` of the current match, -1 when none
  let query = '';
  let shown = 0;          // lines the view shows; frozen while paused
  let paused = false;
  let frame = 0;
  let source = null;
  let lineHeight = measure();

  function measure() {
    const probe = document.createElement('div');
    probe.className = 'log-line';
    probe.textContent = 'x';
    rows.append(probe);
    const height = probe.getBoundingClientRect().height || 18;
    probe.remove();
    return height;
  }

  const filtering = () => onlyMatches.checked && query !== '';
  const count = () => (filtering() ? matchIndex.length : lines.length);
  const lineAt = (i) => (filtering() ? matchIndex[i] : i);
  const matches = (line) => query !== '' && line.text.toLowerCase().includes(query);

  function row(index) {
    const line = lines[index];
    const div = document.createElement('div');
    div.className = line.stream === 'stderr' ? 'log-line stderr' : 'log-line';
    if (index === current) div.classList.add('current');
    div.dataset.line = String(dropped + index + 1);
    const time = document.createElement('span');
    time.className = 'log-time';
    time.textContent = line.time + ' ';
    div.append(time);
    if (query === '') {
      div.append(line.text);
      return div;
    }
    const lower = line.text.toLowerCase();
    let from = 0;
    for (let at = lower.indexOf(query); at >= 0; at = lower.indexOf(query, from)) {
      if (at > from) div.append(line.text.slice(from, at));
      const mark = document.createElement('mark');
      mark.textContent = line.text.slice(at, at + query.length);
      div.append(mark);
      from = at + query.length;
    }
    if (from < line.text.length) div.append(line.text.slice(from));
    return div;
  }

  function render() {
    frame = 0;
    if (!paused) shown = count();
    spacer.style.height = `${shown * lineHeight}px`;
    if (!paused && follow.checked) view.scrollTop = view.scrollHeight;
    const first = Math.max(0, Math.floor(view.scrollTop / lineHeight) - OVERSCAN);
    const last = Math.min(shown, Math.ceil((view.scrollTop + view.clientHeight) / lineHeight) + OVERSCAN);
    const fragment = document.createDocumentFragment();
    for (let i = first; i < last; i++) fragment.append(row(lineAt(i)));
    rows.style.transform = `translateY(${first * lineHeight}px)`;
    rows.replaceChildren(fragment);
    counter.textContent = `${(dropped + lines.length).toLocaleString('en')} lines`;
  }

  function schedule() {
    if (!frame) frame = requestAnimationFrame(render);
  }

  function describeMatches() {
    if (query === '') {
      found.textContent = '';
    } else if (matchIndex.length === 0) {
      found.textContent = 'No match.';
    } else {
      const at = matchIndex.indexOf(current);
      found.textContent = at >= 0 ? `Match ${at + 1} of ${matchIndex.length}` : `${matchIndex.length} matches`;
    }
  }

  /** Makes a match current and scrolls it into the middle of the view. */
  function jump(step) {
    if (matchIndex.length === 0) return describeMatches();
    let at = matchIndex.indexOf(current);
    if (at < 0) {
      // the first match below (or, backwards, above) what is on screen now
      const top = lineAt(Math.min(count() - 1, Math.floor(view.scrollTop / lineHeight)));
      at = step > 0 ? matchIndex.findIndex((i) => i >= top) : findLast(matchIndex, (i) => i < top);
      if (at < 0) at = step > 0 ? 0 : matchIndex.length - 1;
    } else {
      at = (at + step + matchIndex.length) % matchIndex.length;
    }
    current = matchIndex[at];
    follow.checked = false;
    const position = filtering() ? at : current;
    view.scrollTop = Math.max(0, position * lineHeight - view.clientHeight / 2);
    describeMatches();
    render();
  }

  function findLast(array, test) {
    for (let i = array.length - 1; i >= 0; i--) if (test(array[i])) return i;
    return -1;
  }

  function setQuery(text) {
    query = text.trim().toLowerCase();
    matchIndex = [];
    current = -1;
    if (query !== '') lines.forEach((line, i) => { if (matches(line)) matchIndex.push(i); });
    describeMatches();
    if (query !== '' && !onlyMatches.checked) jump(1);
    else render();
  }

  function drop() {
    const n = Math.floor(MAX_KEPT / 10);
    lines = lines.slice(n);
    dropped += n;
    matchIndex = matchIndex.filter((i) => i >= n).map((i) => i - n);
    current = current >= n ? current - n : -1;
    if (!follow.checked) view.scrollTop = Math.max(0, view.scrollTop - n * lineHeight);
    note.hidden = false;
    note.textContent = `The oldest ${dropped.toLocaleString('en')} lines were dropped from this view to save memory; `
      + 'the downloaded log has them.';
  }

  function receive(stream, data) {
    const space = data.indexOf(' ');
    const line = { stream, time: data.slice(0, space), text: data.slice(space + 1) };
    lines.push(line);
    if (matches(line)) {
      matchIndex.push(lines.length - 1);
      if (!frame) describeMatches();
    }
    if (lines.length > MAX_KEPT) drop();
    schedule();
  }

  function connect() {
    lines = [];
    dropped = 0;
    matchIndex = [];
    current = -1;
    note.hidden = true;
    status.textContent = 'Connecting…';
    render();
    // timestamps are always asked for; the checkbox only shows or hides them
    source = new EventSource(`${api}/logs?follow=true&timestamps=true&tail=${MAX_KEPT}`);
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
    status.replaceChildren(document.createTextNode(`${message} `));
    const again = document.createElement('button');
    again.type = 'button';
    again.textContent = 'Reconnect';
    again.className = 'link';
    again.addEventListener('click', connect);
    status.append(again);
    describeMatches();
    schedule();
  }

  pause.addEventListener('click', () => {
    paused = !paused;
    pause.setAttribute('aria-pressed', String(paused));
    pause.textContent = paused ? 'Resume' : 'Pause';
    schedule();
  });
  follow.addEventListener('change', () => { if (follow.checked) { current = -1; schedule(); } });
  view.addEventListener('scroll', () => {
    // scrolling up stops following; back at the bottom follows again
    const atBottom = view.scrollHeight - view.scrollTop - view.clientHeight < lineHeight;
    if (follow.checked !== atBottom && !paused) follow.checked = atBottom;
    schedule();
  });
  window.addEventListener('resize', () => { lineHeight = measure(); schedule(); });
  const applyStamps = () => view.classList.toggle('show-time', stamps.checked);
  stamps.addEventListener('change', applyStamps);
  applyStamps();
  let timer = 0;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => setQuery(search.value), 150);
  });
  search.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    e.preventDefault();
    clearTimeout(timer);
    if (search.value.trim().toLowerCase() !== query) setQuery(search.value);
    else jump(e.shiftKey ? -1 : 1);
  });
  next.addEventListener('click', () => jump(1));
  previous.addEventListener('click', () => jump(-1));
  onlyMatches.addEventListener('change', () => {
    view.scrollTop = 0;
    if (!onlyMatches.checked && current >= 0) {
      view.scrollTop = Math.max(0, current * lineHeight - view.clientHeight / 2);
    }
    render();
  });
  window.addEventListener('pagehide', () => source && source.close());
  connect();
}
