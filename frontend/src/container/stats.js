// Resource charts: `GET …/stats` every 2 s, drawn with uPlot (cpu %, memory against its limit, pids).
import uPlot from 'uplot';

const POINTS = 90; // 3 minutes at one sample per 2 s
const MiB = 1024 * 1024;

function chart(target, label, color, extra = []) {
  const width = () => Math.max(200, target.clientWidth || 300);
  const plot = new uPlot({
    width: width(),
    height: 140,
    legend: { show: false },
    cursor: { show: false },
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } },
    axes: [{ size: 30, values: (u, splits) => splits.map((v) => new Date(v * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })) },
      { size: 50 }],
    series: [{}, { label, stroke: color, width: 2, fill: color + '22' }, ...extra],
  }, [[], [], ...extra.map(() => [])], target);
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
