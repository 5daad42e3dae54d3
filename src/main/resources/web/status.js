// The status page: draws the status document the bundle pushes every second (or that it polls).
// Every text that comes from the run (prompts, ids, file names, messages) is set with textContent or
// as an attribute value, never parsed as HTML, so a prompt like <img src=x onerror=...> shows as the text it is.
'use strict';

const POLL_MS = 1000;
// The gallery's list of items is asked for this often while its batch runs (and once more when the batch's
// state changes), not with every status document: the numbers stay live, the pictures follow a little later.
const GALLERY_REFRESH_MS = 5000;
const PAGE = 48;
const SVG = 'http://www.w3.org/2000/svg';
const KIND_COLORS = {
  per_minute: '#d98c00', per_day: '#d64545', tokens_per_minute: '#8e44ad',
  images_per_minute: '#e67e22', zero_quota: '#5d4037', unknown: '#8a94a6'
};
const view = { batch: null, offset: 0, gallerySignature: null, batches: [], galleryLoadedAt: 0, galleryState: null };

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function svg(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  return node;
}

function clock(iso) {
  return iso ? new Date(iso).toLocaleTimeString([], { hour12: false }) : '';
}

function usd(n) { return n.toFixed(2) + ' USD'; }

function card(label, value, className) {
  const c = el('div', 'card' + (className ? ' ' + className : ''));
  c.append(el('div', 'label', label), el('div', 'value', value));
  return c;
}

function renderSummary(run) {
  document.getElementById('mode').textContent = run.mode === 'once' ? '--once run' : 'service';
  document.getElementById('summary').replaceChildren(
    card('OK', run.ok, 'c-ok'), card('Skipped', run.skipped), card('Failed', run.failed),
    card('Pending', run.pending), card('To go', run.toGo + ' of ' + run.total),
    card('Images/min', run.imagesPerMinute), card('ETA', run.eta || '—'), card('Cost', usd(run.costUsd)));
}

function stateText(p) {
  switch (p.state) {
    case 'pacing': return 'pacing';
    case 'paused': return 'paused until ' + clock(p.until);
    case 'closed': return p.until ? 'closed until ' + clock(p.until) : 'closed';
    case 'circuit_open': return p.until ? 'circuit open until ' + clock(p.until) : 'circuit open';
    default: return p.state;
  }
}

function renderProviders(providers) {
  document.getElementById('providers').replaceChildren(...providers.map(p => {
    const c = el('div', 'card provider');
    c.setAttribute('data-provider', p.name);
    const title = el('div', 'name', p.name);
    title.append(el('span', 'state ' + p.state, stateText(p)));
    const kinds = Object.entries(p.throttles).map(([k, n]) => k + ' ' + n).join(', ');
    c.append(title,
      el('div', 'kv', p.type + ' · ' + p.inFlight + ' in flight · ' + p.calls + ' calls · ' + p.images + ' images · '
        + usd(p.costUsd)),
      el('div', 'kv', '429s: ' + p.throttlesTotal + (kinds ? ' (' + kinds + ')' : '') + ' · retries ' + p.retries));
    if (p.state !== 'pacing' && p.reason) c.append(el('div', 'kv', p.reason));
    return c;
  }));
}

function renderCharts(series, now) {
  const charts = Object.entries(series.providers).map(([name, s]) => chart(name, s, series, now));
  document.getElementById('charts').replaceChildren(...charts);
}

// images/min at the end of each bucket, over the minute before it (the newest bucket counts the part
// of it that has passed, so the line does not dip while it fills)
function rates(images, series, now) {
  const window = Math.max(1, Math.round(60 / series.bucketSeconds));
  const start = new Date(series.start).getTime();
  const newestElapsed = Math.min(1, Math.max(0.05,
    (new Date(now).getTime() - start) / 1000 / series.bucketSeconds - (images.length - 1)));
  return images.map((_, i) => {
    let sum = 0, covered = 0;
    for (let j = Math.max(0, i - window + 1); j <= i; j++) {
      sum += images[j];
      covered += j === images.length - 1 ? newestElapsed : 1;
    }
    return sum * 60 / (covered * series.bucketSeconds);
  });
}

function chart(name, s, series, now) {
  const W = 800, H = 180, L = 44, R = 44, T = 10, B = 24;
  const n = Math.max(1, series.buckets);
  const step = (W - L - R) / n;
  const rate = rates(s.images, series, now);
  const kinds = Object.keys(s.throttles);
  const stacked = s.images.map((_, i) => kinds.reduce((sum, k) => sum + s.throttles[k][i], 0));
  const maxRate = Math.max(1, ...rate);
  const maxThrottles = Math.max(1, ...stacked);
  const y = v => H - B - (H - T - B) * v / maxRate;
  const y429 = v => (H - T - B) * v / maxThrottles;
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img' });
  for (let g = 0; g <= 4; g++) {
    const gy = T + (H - T - B) * g / 4;
    root.append(svg('line', { x1: L, x2: W - R, y1: gy, y2: gy, class: 'grid' }));
  }
  s.images.forEach((_, i) => {
    let base = H - B;
    for (const k of kinds) {
      const v = s.throttles[k][i];
      if (!v) continue;
      const h = y429(v);
      base -= h;
      root.append(svg('rect', { x: L + i * step + step * 0.1, y: base, width: Math.max(1, step * 0.8), height: h,
        fill: KIND_COLORS[k] || KIND_COLORS.unknown }));
    }
  });
  const points = rate.map((v, i) => `${(L + (i + 1) * step).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  root.append(svg('polyline', { points, class: 'rate' }));
  root.append(svg('line', { x1: L, x2: W - R, y1: H - B, y2: H - B, class: 'axis' }));
  const label = (x, yy, text, anchor) => {
    const t = svg('text', { x, y: yy, 'text-anchor': anchor || 'start' });
    t.textContent = text;
    root.append(t);
  };
  label(L - 6, T + 8, maxRate.toFixed(maxRate < 10 ? 1 : 0), 'end');
  label(L - 6, H - B, '0', 'end');
  label(W - R + 6, T + 8, String(maxThrottles));
  label(W - R + 6, H - B, '0');
  const start = new Date(series.start).getTime();
  for (const f of [0, 0.5, 1]) {
    const at = new Date(start + f * n * series.bucketSeconds * 1000).toISOString();
    label(L + f * (W - L - R), H - 6, clock(at), f === 0 ? 'start' : f === 1 ? 'end' : 'middle');
  }
  const box = el('div', 'chart');
  box.setAttribute('data-provider', name);
  const legend = el('div', 'legend');
  const item = (color, text) => {
    const span = el('span');
    const swatch = el('i');
    swatch.style.background = color;
    span.append(swatch, document.createTextNode(text));
    return span;
  };
  legend.append(item('#3b6fd8', 'images/min (left axis)'));
  kinds.forEach(k => legend.append(item(KIND_COLORS[k] || KIND_COLORS.unknown,
    '429 ' + k + ' per ' + series.bucketSeconds + ' s (right axis)')));
  box.append(el('h3', null, name), root, legend);
  return box;
}

// Rows are made once per batch and then updated in place, so that a click on a row's button is never
// lost to a redraw.
const rows = new Map();

function batchRow(index) {
  if (rows.has(index)) return rows.get(index);
  const tr = el('tr');
  const cells = {};
  for (const name of ['name', 'source', 'progress', 'ok', 'skipped', 'failed', 'pending', 'togo', 'total', 'cost',
    'eta', 'state', 'action']) {
    const numeric = ['ok', 'skipped', 'failed', 'pending', 'togo', 'total', 'cost'].includes(name);
    cells[name] = el('td', (numeric ? 'num ' : '') + 'c-' + name + (name === 'progress' ? ' wide' : ''));
    tr.append(cells[name]);
  }
  const bar = el('div', 'bar');
  const parts = {};
  for (const part of ['ok', 'skipped', 'failed', 'pending']) {
    parts[part] = el('span', part);
    bar.append(parts[part]);
  }
  cells.progress.append(bar);
  const open = el('button', 'open-gallery', 'Gallery');
  open.type = 'button';
  open.addEventListener('click', () => selectBatch(index));
  cells.action.append(open);
  const row = { tr, cells, parts };
  rows.set(index, row);
  document.querySelector('#batches tbody').append(tr);
  return row;
}

function renderBatches(batches) {
  view.batches = batches;
  const linked = /^#batch=(\d+)$/.exec(location.hash);
  if (linked && view.batch === null && batches.some(b => b.index === Number(linked[1]))) {
    selectBatch(Number(linked[1]));   // selectBatch draws the rows again
    return;
  }
  document.getElementById('no-batches').hidden = batches.length > 0;
  for (const b of batches) {
    const { tr, cells, parts } = batchRow(b.index);
    tr.setAttribute('data-state', b.state);
    tr.className = b.index === view.batch ? 'selected' : '';
    for (const part of Object.keys(parts)) {
      parts[part].style.width = (b.total ? 100 * b[part] / b.total : 0) + '%';
    }
    const texts = { name: b.name, source: b.source, ok: b.ok, skipped: b.skipped, failed: b.failed, pending: b.pending,
      togo: b.toGo, total: b.total, cost: usd(b.costUsd), eta: b.eta || '—', state: b.state };
    for (const [name, text] of Object.entries(texts)) {
      if (cells[name].textContent !== String(text)) cells[name].textContent = String(text);
    }
  }
}

function selectBatch(index) {
  view.batch = index;
  history.replaceState(null, '', '#batch=' + index);
  view.offset = 0;
  view.gallerySignature = null;
  document.getElementById('gallery').hidden = false;
  renderBatches(view.batches);
  loadGallery();
}

async function loadGallery() {
  if (view.batch === null) return;
  view.galleryLoadedAt = Date.now();
  const response = await fetch(`/api/batches/${view.batch}/items?offset=${view.offset}&limit=${PAGE}`,
    { cache: 'no-store', credentials: 'same-origin' });
  if (!response.ok) return;
  const text = await response.text();
  if (text === view.gallerySignature) return;
  view.gallerySignature = text;
  renderGallery(JSON.parse(text));
}

async function refreshGallery(batches) {
  if (view.batch === null) return;
  const shown = batches.find(b => b.index === view.batch);
  const state = shown ? shown.state : null;
  if (state === view.galleryState && (state === 'complete' || Date.now() - view.galleryLoadedAt < GALLERY_REFRESH_MS)) {
    return;
  }
  view.galleryState = state;
  await loadGallery();
}

// Tiles are kept while the same page is shown and only what changed is touched, so a thumbnail that
// has loaded stays on screen while the items around it finish.
let tiles = { key: null, list: [] };

function tile() {
  const t = { root: el('div', 'tile'), thumb: el('div', 'thumb'), img: null, id: el('div', 'id'),
    status: el('div', 'status'), prompt: el('div', 'prompt'), message: el('div', 'muted') };
  const meta = el('div', 'meta');
  meta.append(t.id, t.status, t.prompt, t.message);
  t.meta = meta;
  t.root.append(t.thumb, meta);
  return t;
}

function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

function renderGallery(page) {
  document.getElementById('gallery-name').textContent = page.name;
  const last = Math.min(page.total, page.offset + page.items.length);
  document.getElementById('page-info').textContent =
    page.total ? `items ${page.offset + 1}–${last} of ${page.total}` : 'no items';
  document.getElementById('prev').disabled = page.offset === 0;
  document.getElementById('next').disabled = last >= page.total;
  const key = page.batch + ':' + page.offset;
  if (tiles.key !== key || tiles.list.length !== page.items.length) {
    tiles = { key, list: page.items.map(tile) };
    document.getElementById('tiles').replaceChildren(...tiles.list.map(t => t.root));
  }
  page.items.forEach((item, i) => {
    const t = tiles.list[i];
    t.root.setAttribute('data-id', item.id);
    if (item.image) {
      const src = '/thumbs?image=' + encodeURIComponent(item.image);
      if (!t.img || t.img.getAttribute('src') !== src) {
        t.img = el('img');
        t.img.src = src;
        t.thumb.replaceChildren(t.img);
      }
      t.img.alt = item.prompt;
    } else {
      t.img = null;
      setText(t.thumb, item.status === 'working' ? 'in progress…' : 'no image');
    }
    setText(t.id, item.id);
    t.status.className = 'status ' + item.status;
    setText(t.status, item.status + (item.provider ? ' · ' + item.provider : ''));
    setText(t.prompt, item.prompt);
    t.meta.title = item.prompt;
    setText(t.message, item.message && item.status !== 'ok' ? item.message : '');
  });
}

// Live updates: the bundle pushes the status document every second on /api/status/stream (server-sent
// events); where that cannot be opened or breaks, the page asks for /api/status every second instead.
// Documents are drawn one at a time: one that arrives while another is drawn waits, and only the
// newest waiting one is drawn.
const drawing = { busy: false, next: null };

async function draw(status, mode) {
  if (drawing.busy) {
    drawing.next = { status, mode };
    return;
  }
  drawing.busy = true;
  try {
    renderSummary(status.run);
    renderProviders(status.providers);
    renderCharts(status.series, status.now);
    renderBatches(status.batches);
    await refreshGallery(status.batches);
    const live = document.getElementById('live');
    live.textContent = 'live (' + mode + ') · ' + clock(status.now);
    live.className = 'live ok';
  } finally {
    drawing.busy = false;
    const waiting = drawing.next;
    drawing.next = null;
    if (waiting) draw(waiting.status, waiting.mode);
  }
}

function unreachable(reason) {
  const live = document.getElementById('live');
  live.textContent = 'not reachable (the run may have ended) · ' + reason;
  live.className = 'live down';
}

async function poll() {
  try {
    const response = await fetch('/api/status', { cache: 'no-store', credentials: 'same-origin' });
    if (!response.ok) throw new Error('HTTP ' + response.status);
    await draw(await response.json(), 'polling');
  } catch (e) {
    unreachable(e.message);
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

function stream() {
  if (!window.EventSource) {
    poll();
    return;
  }
  const source = new EventSource('/api/status/stream');
  source.onmessage = event => draw(JSON.parse(event.data), 'stream').catch(e => unreachable(e.message));
  source.onerror = () => {
    source.close();
    poll();
  };
}

document.getElementById('prev').addEventListener('click', () => {
  view.offset = Math.max(0, view.offset - PAGE);
  loadGallery();
});
document.getElementById('next').addEventListener('click', () => {
  view.offset += PAGE;
  loadGallery();
});
stream();
