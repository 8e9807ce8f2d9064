// The container page: live logs, resource charts and the web terminal. A separate bundle, so
// the other pages do not load xterm.js and uPlot.
import './container.css';
import { startLogs } from './container/logs.js';
import { startStats } from './container/stats.js';
import { setUpTerminal } from './container/terminal.js';

const page = document.getElementById('container-page');
if (page) {
  const api = page.dataset.api;
  startLogs(api);
  startStats(api);
  if (document.getElementById('terminal-card')) setUpTerminal(api);
}
