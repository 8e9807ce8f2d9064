// The web terminal: xterm.js over the terminal WebSocket (text frames {type: input|resize},
// binary frames of output). Resizes follow the window; copy with Ctrl+Shift+C (or the browser's
// copy of the selection), paste with Ctrl+Shift+V / the browser's paste; a dropped connection
// says so and offers Reconnect.
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';

export function setUpTerminal(api) {
  const open = document.getElementById('terminal-open');
  const copy = document.getElementById('terminal-copy');
  const paste = document.getElementById('terminal-paste');
  const status = document.getElementById('terminal-status');
  const host = document.getElementById('terminal');
  let term = null;
  let fit = null;
  let socket = null;

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  }

  function create() {
    host.hidden = false;
    term = new Terminal({ cursorBlink: true, fontSize: 14, scrollback: 5000, convertEol: false,
      fontFamily: 'ui-monospace, Menlo, Consolas, monospace' });
    fit = new FitAddon();
    term.loadAddon(fit);
    term.open(host);
    fit.fit();
    term.onData((data) => send({ type: 'input', data }));
    term.onResize(({ cols, rows }) => send({ type: 'resize', cols, rows }));
    term.attachCustomKeyEventHandler((e) => {
      if (e.type === 'keydown' && e.ctrlKey && e.shiftKey && e.code === 'KeyC') {
        if (term.hasSelection()) navigator.clipboard?.writeText(term.getSelection()).catch(() => {});
        return false;
      }
      // Ctrl+Shift+V: let the browser paste into xterm's textarea
      if (e.type === 'keydown' && e.ctrlKey && e.shiftKey && e.code === 'KeyV') return false;
      return true;
    });
    let timer = 0;
    window.addEventListener('resize', () => {
      clearTimeout(timer);
      timer = setTimeout(() => fit.fit(), 100);
    });
    copy.hidden = false;
    paste.hidden = false;
    copy.addEventListener('click', async () => {
      if (!term.hasSelection()) { status.textContent = 'Select text in the terminal first.'; return; }
      try { await navigator.clipboard.writeText(term.getSelection()); status.textContent = 'Copied.'; } catch {
        status.textContent = 'The browser refused the clipboard; use Ctrl+Shift+C or right-click → Copy.';
      }
      term.focus();
    });
    paste.addEventListener('click', async () => {
      try { term.paste(await navigator.clipboard.readText()); } catch {
        status.textContent = 'The browser refused the clipboard; use Ctrl+Shift+V.';
      }
      term.focus();
    });
  }

  function connect() {
    if (!term) create();
    const url = new URL(`${api}/terminal`, window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('cols', term.cols);
    url.searchParams.set('rows', term.rows);
    status.textContent = 'Connecting…';
    socket = new WebSocket(url);
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => {
      status.textContent = 'Connected: a shell in the container. Copy: select + Ctrl+Shift+C; paste: Ctrl+Shift+V.';
      open.hidden = true;
      term.focus();
    };
    socket.onmessage = (e) => term.write(typeof e.data === 'string' ? e.data : new Uint8Array(e.data));
    socket.onclose = (e) => {
      const why = e.code === 1000 ? 'the shell exited' : `code ${e.code}${e.reason ? ': ' + e.reason : ''}`;
      status.textContent = `Disconnected (${why}). Is the container running?`;
      term.write('\r\n\x1b[33m[disconnected]\x1b[0m\r\n');
      open.textContent = 'Reconnect';
      open.hidden = false;
    };
  }

  open.addEventListener('click', connect);
}
