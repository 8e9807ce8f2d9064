// Resource charts: `GET …/stats` every 2 s, drawn with uPlot (cpu %, memory against its limit, pids) over the last 3 minutes.
import uPlot from 'uplot';

const POINTS = 90; // 3 minutes at one sample per 2 s
const WINDOW = POINTS * 2; // seconds the x axis spans: always the last 3 minutes, so its ticks do not jump as samples arrive
const MiB = 1024 * 1024;
// 24-hour clock times; ticks are placed at least one such label (plus a gap) apart, so labels never overlap
const clock = new Intl.DateTimeFormat([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
const LABEL_GAP = 16; // px between two time labels

/** The widest time label in the axis's font, in CSS pixels, plus the gap: the least room between two ticks. */
function tickSpace(u) {
  const ctx = u.ctx;
  ctx.save();
  ctx.font = u.axes[0].font[0]; // already scaled to the canvas's pixel ratio
  const width = ctx.measureText(clock.format(new Date(2000, 0, 1, 23, 58, 58))).width / uPlot.pxRatio;
  ctx.restore();
  return Math.ceil(width) + LABEL_GAP;
}

function chart(target, label, color, extra = []) {
  const width = () => Math.max(200, target.clientWidth || 300);
  const plot = new uPlot({
    width: width(),
    height: 140,
    legend: { show: false },
    cursor: { show: false },
    scales: {
      x: { time: true, range: (u, min, max) => { const end = max ?? Date.now() / 1000; return [end - WINDOW, end]; } },
      y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] },
    },
    axes: [{ size: 30, space: tickSpace, values: (u, splits) => splits.map((v) => clock.format(new Date(v * 1000))) },
      { size: 50 }],
    series: [{}, { label, stroke: color, width: 2, fill: color + '22' }, ...extra],
  }, [[], [], ...extra.map(() => [])], target);
  target.uplot = plot; // the browser tests read the drawn axis from it
  window.addEventListener('resize', () => plot.setSize({ width: width(), height: 140 }));
  return plot;
}

export function startStats(api) {
  const status = document.getElementById('stats-status');
  const cpuText = document.getElementById('stat-cpu');
  const memText = document.getElementById('stat-memory');
  const pidText = document.getElementById('stat-pids');
  if (!status) return;
  const cpu = chart(document.getElementById('chart-cpu'), 'CPU %', '#0f4c81');
  const mem = chart(document.getElementById('chart-memory'), 'MiB', '#067647',
    [{ label: 'limit MiB', stroke: '#b42318', width: 1, dash: [4, 4] }]);
  const pids = chart(document.getElementById('chart-pids'), 'pids', '#b54708');
  const t = [], cpuData = [], memData = [], limitData = [], pidData = [];
  let last = null;

  async function sample() {
    try {
      const response = await fetch(`${api}/stats`, { headers: { Accept: 'application/json' } });
      const body = await response.json();
      if (!response.ok) {
        status.textContent = body.detail || `Stats are not available (HTTP ${response.status}).`;
        return;
      }
      status.textContent = '';
      const now = Date.now() / 1000;
      const percent = last ? Math.max(0, (body.cpuSeconds - last.cpu) / (now - last.t) * 100) : 0;
      last = { t: now, cpu: body.cpuSeconds };
      t.push(now); cpuData.push(percent); memData.push(body.memoryBytes / MiB);
      limitData.push(body.memoryLimitBytes ? body.memoryLimitBytes / MiB : null); pidData.push(body.pids);
      if (t.length > POINTS) [t, cpuData, memData, limitData, pidData].forEach((a) => a.shift());
      cpu.setData([t, cpuData]);
      mem.setData([t, memData, limitData]);
      pids.setData([t, pidData]);
      cpuText.textContent = `${percent.toFixed(1)}%`;
      memText.textContent = `${(body.memoryBytes / MiB).toFixed(1)} MiB`
        + (body.memoryLimitBytes ? ` of ${(body.memoryLimitBytes / MiB).toFixed(0)} MiB` : '')
        + (body.oomKills ? `, ${body.oomKills} OOM kill(s)` : '');
      pidText.textContent = String(body.pids);
    } catch (e) {
      status.textContent = 'Stats are not available right now.';
    }
  }
  sample();
  setInterval(() => { if (!document.hidden) sample(); }, 2000);
}
