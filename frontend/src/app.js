import htmx from 'htmx.org';

window.htmx = htmx;

// Copy buttons: <button data-copy="#element-id">Copy</button>
document.addEventListener('click', async (event) => {
  const button = event.target.closest('[data-copy]');
  if (!button) return;
  const source = document.querySelector(button.dataset.copy);
  if (!source) return;
  const text = source.value ?? source.textContent;
  try {
    await navigator.clipboard.writeText(text.trim());
    button.textContent = 'Copied';
  } catch {
    if (source.select) source.select();
    button.textContent = 'Press Ctrl+C';
  }
  setTimeout(() => { button.textContent = 'Copy'; }, 2000);
});

// Confirmation for destructive buttons: <button data-confirm="Remove bob?">
document.addEventListener('submit', (event) => {
  const submitter = event.submitter;
  const message = submitter?.dataset.confirm ?? event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
}, true);

// htmx requests carry the CSRF token of the page.
document.addEventListener('htmx:configRequest', (event) => {
  const token = document.querySelector('meta[name="_csrf"]');
  const header = document.querySelector('meta[name="_csrf_header"]');
  if (token && header) event.detail.headers[header.content] = token.content;
});

// The create form, while its POST waits for an image pull: the pull's progress under the form.
// <form data-pull-progress="/teams/T/containers/"> asks for …/NAME/pull every 700 ms.
document.addEventListener('submit', (event) => {
  const form = event.target;
  if (event.defaultPrevented || !form.dataset.pullProgress) return;
  const name = form.elements.name?.value.trim();
  const out = form.querySelector('#pull-progress');
  if (!name || !out) return;
  const url = `${form.dataset.pullProgress}${encodeURIComponent(name)}/pull`;
  setInterval(async () => {
    try {
      const response = await fetch(url, { headers: { 'HX-Request': 'true' } });
      if (response.ok) out.innerHTML = await response.text();
    } catch {
      // the page is being replaced by the answer
    }
  }, 700);
});
