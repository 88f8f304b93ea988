// The bank's web view: renders the state the bank pushes as server-sent events (/events).
(function () {
  'use strict';
  const $ = (sel) => document.querySelector(sel);

  function text(tag, value, cls) {
    const el = document.createElement(tag);
    el.textContent = value;
    if (cls) el.className = cls;
    return el;
  }

  function list(items) {
    return items.length === 0 ? '-' : items.join(' ');
  }

  function renderServers(servers) {
    const body = $('#servers tbody');
    body.replaceChildren();
    for (const s of servers) {
      const tr = document.createElement('tr');
      tr.id = 'server-' + s.server;
      tr.className = 'state-' + s.state;
      tr.append(text('td', s.server, 'server'), text('td', s.state, 'state'),
        text('td', s.promised, 'promised'), text('td', s.leader ? '★' : '', 'leader'),
        text('td', String(s.committedSlot), 'slot'), text('td', list(s.localLog), 'log'),
        text('td', list(s.pending), 'pending'),
        text('td', s.state === 'down' ? '-'
          : String(s.balance) + (s.notFinal ? ' (not final: ' + s.notFinal + ')' : ''), 'balance'),
        text('td', Object.entries(s.balanceMap).map(([k, v]) => k + '=' + v).join(' '), 'balances'));
      body.append(tr);
    }
  }

  function phase(name, arrow, names) {
    const div = document.createElement('div');
    div.append(text('span', name, 'phase'), document.createTextNode(arrow + ' ' + list(names)));
    return div;
  }

  function renderRounds(rounds) {
    const box = $('#rounds');
    box.replaceChildren();
    for (const r of rounds.slice().reverse()) {
      const div = document.createElement('div');
      div.className = 'round' + (r.commit.length > 0 ? ' committed' : '');
      div.append(text('div', r.proposer + ' · ballot ' + r.ballot + ' · slot '
        + (r.slot > 0 ? r.slot : '?') + (r.entries ? ' · ' + r.entries : ''), 'head'));
      if (r.prepare.length) div.append(phase('PREPARE', '→', r.prepare));
      if (r.promise.length) div.append(phase('PROMISE', '←', r.promise));
      if (r.accept.length) div.append(phase('ACCEPT', '→', r.accept));
      if (r.accepted.length) div.append(phase('ACCEPTED', '←', r.accepted));
      if (r.commit.length) div.append(phase('COMMIT', '→', r.commit));
      if (r.reject.length) {
        const rj = phase('REJECT', '←', r.reject);
        rj.className = 'reject';
        div.append(rj);
      }
      box.append(div);
    }
    if (rounds.length === 0) box.append(text('div', 'no round yet', 'muted'));
  }

  function renderMessages(messages) {
    const ol = $('#messages');
    ol.replaceChildren();
    for (const m of messages.slice().reverse()) {
      const t = new Date(m.atMillis).toISOString().substring(11, 23);
      ol.append(text('li', t + '  ' + m.from + ' → ' + m.to + '  ' + m.type
        + (m.ballot ? ' ' + m.ballot : '') + (m.slot ? ' slot ' + m.slot : '')
        + (m.detail ? '  ' + m.detail : '')));
    }
  }

  function render(state) {
    $('#title').textContent = state.title;
    $('#set-summary').textContent = state.set.summary;
    document.body.dataset.set = String(state.set.number);
    document.body.dataset.running = String(state.set.running === true);
    $('#leader').textContent = state.leader;
    renderServers(state.servers);
    renderRounds(state.rounds);
    renderMessages(state.messages);
  }

  function command(line) {
    $('#command-status').textContent = line + '…';
    fetch('/command', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'line=' + encodeURIComponent(line)
    }).then((r) => r.text()).then((t) => { $('#command-status').textContent = t; });
  }

  $('#next').addEventListener('click', () => command('NextIteration'));
  $('#crash').addEventListener('click', () => command('CrashServer ' + $('#target').value));
  $('#recover').addEventListener('click', () => command('RecoverServer ' + $('#target').value));

  const events = new EventSource('/events');
  events.addEventListener('state', (e) => render(JSON.parse(e.data)));
  events.onopen = () => { $('#connection').textContent = 'live'; };
  events.onerror = () => { $('#connection').textContent = 'reconnecting…'; };
})();
