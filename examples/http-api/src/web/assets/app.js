// The web app's own script: dragging deals across the board, SLA countdowns,
// and refusals shown in #toast. Plain browser JavaScript, no build step.
'use strict';

/** Shows a message in #toast for a few seconds (refused moves, failed htmx requests). */
function toast(message) {
  const box = document.getElementById('toast');
  if (!box) return;
  box.textContent = message;
  box.classList.add('show');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => box.classList.remove('show'), 6000);
}

/** Puts each element of a move's answer where the element with its id is (the card, the column heads). */
function applyFragment(text) {
  const template = document.createElement('template');
  template.innerHTML = text;
  for (const element of Array.from(template.content.children)) {
    const current = element.id && document.getElementById(element.id);
    if (current) current.replaceWith(element);
  }
}

/**
 * Asks why a deal was lost in the board's #loss-dialog: resolves to the
 * reason typed or picked ('' for none), or null when the user cancels.
 */
function askLossReason(card) {
  const dialog = document.getElementById('loss-dialog');
  if (!dialog) return Promise.resolve('');
  const input = dialog.querySelector('input[name="reason"]');
  const title = card.querySelector('h3');
  dialog.querySelector('.deal-title').textContent = title ? `“${title.textContent.trim()}”` : 'the deal';
  input.value = '';
  dialog.returnValue = '';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm' ? input.value.trim() : null), { once: true });
    dialog.showModal();
    input.focus();
  });
}

/**
 * Moves a card to a stage: the card goes there at once, the server decides.
 * A lost stage first asks for the reason (cancelling moves nothing).
 * On a refusal (a stage gate, a stale version, no right to) the card goes back
 * where it was and #toast says why.
 */
async function moveCard(card, stageKey) {
  const section = document.querySelector(`.column[data-stage="${CSS.escape(stageKey)}"]`);
  const column = section && section.querySelector('.cards');
  if (!column || card.closest('.cards') === column) return;
  const fields = { stage: stageKey, version: card.dataset.version };
  if (section.dataset.category === 'lost') {
    const reason = await askLossReason(card);
    if (reason === null) return;
    fields.reason = reason;
  }
  const home = { parent: card.parentElement, next: card.nextElementSibling };
  column.prepend(card);
  card.classList.add('pending');
  try {
    const response = await fetch(`/app/deals/${encodeURIComponent(card.dataset.deal)}/move`, {
      method: 'POST',
      headers: { 'HX-Request': 'true' },
      body: new URLSearchParams(fields),
      credentials: 'same-origin',
    });
    const text = await response.text();
    if (!response.ok) throw new Error(text || `The move failed (${response.status})`);
    applyFragment(text);
  } catch (error) {
    home.parent.insertBefore(card, home.next);
    toast(error.message);
  } finally {
    card.classList.remove('pending');
  }
}

document.addEventListener('dragstart', (event) => {
  const card = event.target.closest && event.target.closest('.card[draggable="true"]');
  if (!card) return;
  event.dataTransfer.setData('text/plain', card.id);
  event.dataTransfer.effectAllowed = 'move';
});
document.addEventListener('dragover', (event) => {
  const column = event.target.closest && event.target.closest('.column');
  if (!column) return;
  event.preventDefault();
  column.classList.add('over');
});
document.addEventListener('dragleave', (event) => {
  const column = event.target.closest && event.target.closest('.column');
  if (column && !column.contains(event.relatedTarget)) column.classList.remove('over');
});
document.addEventListener('drop', (event) => {
  const column = event.target.closest && event.target.closest('.column');
  if (!column) return;
  event.preventDefault();
  column.classList.remove('over');
  const card = document.getElementById(event.dataTransfer.getData('text/plain'));
  if (card) moveCard(card, column.dataset.stage);
});
// The keyboard way: a card's own "Move to" form takes the same path as a drop.
document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!form.matches('.card form.move')) return;
  event.preventDefault();
  moveCard(form.closest('.card'), form.elements.stage.value);
});

// htmx does not swap 4xx / 5xx answers; say what went wrong instead.
document.addEventListener('htmx:responseError', (event) => {
  toast(event.detail.xhr.responseText || `Request failed (${event.detail.xhr.status})`);
});

/** The same rule as the server's countdownText: `2h 14m left`, `overdue 5m`, `1d 3h left`. */
function countdownText(dueIso, now) {
  const ms = Date.parse(dueIso) - now;
  const minutes = Math.floor(Math.abs(ms) / 60000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const span = days > 0 ? `${days}d ${hours}h` : hours > 0 ? `${hours}h ${mins}m` : `${mins}m`;
  return ms >= 0 ? `${span} left` : `overdue ${span}`;
}

function tick() {
  const now = Date.now();
  for (const element of document.querySelectorAll('[data-due]')) {
    element.textContent = countdownText(element.dataset.due, now);
    element.classList.toggle('overdue', Date.parse(element.dataset.due) <= now);
  }
}
setInterval(tick, 1000);
document.addEventListener('DOMContentLoaded', tick);

// Instants come from the server in UTC; the reader wants their own zone: `Dec 2, 2026, 8:30 AM`.
const localFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
/** Rewrites every `<time data-local>` under `root` in the browser's time zone; the UTC text stays as its title. */
function localizeTimes(root) {
  for (const element of root.querySelectorAll('time[data-local]')) {
    const at = Date.parse(element.getAttribute('datetime'));
    if (Number.isNaN(at)) continue;
    if (!element.title) element.title = element.textContent;
    element.textContent = localFormat.format(at);
  }
}
document.addEventListener('DOMContentLoaded', () => localizeTimes(document));
// htmx swaps (a timeline's next page, a completed task) bring new ones. The whole document: an
// outerHTML swap detaches its target, and an element already rewritten comes out the same.
document.addEventListener('htmx:afterSwap', () => localizeTimes(document));
