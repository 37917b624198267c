/*
 * Vigil operator console: fault and ticket lists with filters, a ticket page with its timeline,
 * and the actions an engineer takes (acknowledge, assign, comment, resolve with cause / fix /
 * prevention, silence a fault). Plain browser JavaScript, no build step.
 *
 * The lists are the live stream's picture (GET /api/v1/stream: snapshot or resume, then deltas),
 * so a change made in any browser shows in every other as soon as the server publishes it. A ticket
 * page reloads its ticket, timeline and similar resolutions when a delta for that ticket arrives.
 * Actions use the operator's token (the same one the wall keeps in localStorage); a viewer token
 * sees the pages with the actions disabled, and a customer-bound token only its customer.
 */
(function () {
  'use strict';

  var TOKEN_KEY = 'vigil.token';
  var LANG_KEY = 'vigil.lang';
  var TICKET_STATES = ['open', 'acknowledged', 'in_progress', 'pending_customer', 'pending_vendor', 'resolved', 'reopened'];

  var I18N = {
    en: {
      title: 'Vigil console', wall: 'NOC wall', connecting: 'connecting', live: 'live', reconnecting: 'reconnecting',
      storageDown: 'Storage unavailable: changes cannot be saved (actions answer 503) and what is shown may be stale.', since: 'since',
      logout: 'log out', customer: 'Customer', severity: 'Severity', state: 'State', assignee: 'Assignee', text: 'Text',
      any: 'any', faults: 'Active faults', tickets: 'Open tickets', sev: 'Sev', customerSystem: 'Customer / system',
      summary: 'Summary', age: 'Age', ticket: 'Ticket', due: 'Due', back: '← all faults and tickets', ack: 'Acknowledge',
      assign: 'Assign', comment: 'Comment', resolveTitle: 'Resolve: cause, fix, prevention', cause: 'Cause', fix: 'Fix',
      prevention: 'Prevention', kind: 'Kind', resolve: 'Resolve', similar: 'Earlier resolutions', timeline: 'Timeline',
      token: 'Access token', connect: 'Connect', silence: 'Silence 2 h', none: 'none', breached: 'breached',
      respondBy: 'respond by', resolveBy: 'resolve by', opened: 'opened', readOnly: 'read-only token: actions are disabled',
      sevName: { P1: 'Critical', P2: 'Major', P3: 'Minor', P4: 'Warning' }
    },
    zh: {
      title: 'Vigil 控制台', wall: '监控大屏', connecting: '连接中', live: '实时', reconnecting: '重连中',
      storageDown: '存储不可用：操作无法保存（返回 503），显示内容可能已过时。', since: '起始于',
      logout: '退出', customer: '客户', severity: '级别', state: '状态', assignee: '处理人', text: '文本',
      any: '全部', faults: '活动故障', tickets: '未关闭工单', sev: '级别', customerSystem: '客户 / 系统',
      summary: '摘要', age: '持续', ticket: '工单', due: '期限', back: '← 返回故障与工单', ack: '确认',
      assign: '派单', comment: '备注', resolveTitle: '解决：原因、处理、预防', cause: '原因', fix: '处理措施',
      prevention: '预防措施', kind: '方式', resolve: '解决', similar: '以往解决方案', timeline: '时间线',
      token: '访问令牌', connect: '连接', silence: '静默 2 小时', none: '无', breached: '已超时',
      respondBy: '响应期限', resolveBy: '解决期限', opened: '创建于', readOnly: '只读令牌：操作已禁用',
      sevName: { P1: '一级', P2: '二级', P3: '三级', P4: '四级' }
    }
  };

  var state = {
    lang: 'en', token: null, me: null, seq: null, live: false,
    faults: new Map(), tickets: new Map(), ticketId: null
  };
  var ws = null;
  var backoff = 1000;
  var renderTimer = null;

  function $(id) { return document.getElementById(id); }
  function t(k) { return I18N[state.lang][k] !== undefined ? I18N[state.lang][k] : I18N.en[k]; }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function store(k, v) { try { if (v === null) localStorage.removeItem(k); else localStorage.setItem(k, v); } catch (e) { /* private mode */ } }
  function load(k) { try { return localStorage.getItem(k); } catch (e) { return null; } }
  function ago(iso) {
    var ms = Date.now() - Date.parse(iso);
    if (!isFinite(ms)) return '—';
    var m = Math.floor(Math.abs(ms) / 60000);
    return (m >= 60 ? Math.floor(m / 60) + 'h' + (m % 60) + 'm' : m + 'm');
  }
  function when(iso) { return iso ? new Date(iso).toLocaleString(state.lang === 'zh' ? 'zh-CN' : 'en-GB') : '—'; }
  function operator() { return state.me && (state.me.role === 'operator' || state.me.role === 'admin'); }

  // ---------------------------------------------------------------- HTTP

  function api(method, path, body) {
    var opts = { method: method, headers: { Authorization: 'Bearer ' + state.token }, cache: 'no-store', credentials: 'omit' };
    if (body !== undefined) { opts.headers['Content-Type'] = 'application/json'; opts.body = JSON.stringify(body); }
    return fetch(path, opts).then(function (r) {
      return r.text().then(function (txt) {
        var j = null;
        try { j = txt ? JSON.parse(txt) : null; } catch (e) { j = null; }
        if (!r.ok) {
          if (r.status === 401) showLogin();
          throw new Error(r.status + ': ' + (j && j.error ? j.error + (j.field ? ' (' + j.field + ')' : '') : txt));
        }
        return j;
      });
    });
  }

  function showError(e) {
    var box = $('error');
    box.textContent = e && e.message ? e.message : String(e);
    box.hidden = false;
    clearTimeout(showError.timer);
    showError.timer = setTimeout(function () { box.hidden = true; }, 8000);
  }

  // ---------------------------------------------------------------- stream

  function connect() {
    if (ws) { ws.onclose = null; ws.close(); }
    var url = (location.protocol === 'https:' ? 'wss:' : 'ws:') + '//' + location.host + '/api/v1/stream?token=' +
      encodeURIComponent(state.token) + (typeof state.seq === 'number' ? '&since=' + state.seq : '');
    var sock = new WebSocket(url);
    ws = sock;
    sock.onmessage = function (ev) {
      var m;
      try { m = JSON.parse(ev.data); } catch (e) { state.seq = null; sock.close(); return; }
      if (m && m.type === 'batch' && Array.isArray(m.messages)) m.messages.forEach(function (x) { onMessage(x, sock); });
      else if (m) onMessage(m, sock);
    };
    sock.onclose = function () {
      if (sock !== ws) return;
      setLive(false);
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 15000);
    };
  }

  function onMessage(m, sock) {
    if (m.type === 'snapshot') {
      state.faults.clear();
      state.tickets.clear();
      (m.faults || []).forEach(function (f) { state.faults.set(f.fingerprint, f); });
      (m.tickets || []).forEach(function (tk) { state.tickets.set(String(tk.id), tk); });
      state.seq = m.seq;
      setLive(true);
      applyStorage(m.storage || { available: true });
      scheduleRender(null);
    } else if (m.type === 'resume') {
      if (m.from !== state.seq) { state.seq = null; sock.close(); return; }
      setLive(true);
    } else if (m.type === 'overflow') {
      state.seq = null;
    } else if (typeof m.seq === 'number' && typeof state.seq === 'number' && m.seq > state.seq) {
      state.seq = m.seq;
      var changed = null;
      if (m.type === 'fault' && m.fault) {
        if (m.fault.state === 'resolved') state.faults.delete(m.fault.fingerprint);
        else state.faults.set(m.fault.fingerprint, m.fault);
        if (m.fault.ticketId !== null && m.fault.ticketId !== undefined) changed = String(m.fault.ticketId);
      } else if ((m.type === 'ticket' || m.type === 'sla') && m.ticket) {
        if (m.ticket.state === 'closed') state.tickets.delete(String(m.ticket.id));
        else state.tickets.set(String(m.ticket.id), m.ticket);
        changed = String(m.ticket.id);
      } else if (m.type === 'storage' && m.storage) {
        applyStorage(m.storage);
        return;
      }
      scheduleRender(changed);
    }
  }

  // The server's storage (PostgreSQL) stopped answering: acting from here fails until it is back,
  // so say so above everything rather than let each button's 503 tell it.
  function applyStorage(st) {
    state.storage = st;
    var down = st.available === false;
    document.body.setAttribute('data-storage', down ? 'unavailable' : 'available');
    var b = $('storage-banner');
    b.hidden = !down;
    if (down) {
      var since = st.since ? new Date(st.since) : null;
      b.textContent = t('storageDown') + (since && !isNaN(since) ? ' (' + t('since') + ' ' + since.toLocaleTimeString() + ')' : '');
    }
  }

  function setLive(live) {
    state.live = live;
    if (live) backoff = 1000;
    var s = $('status');
    s.setAttribute('data-state', live ? 'live' : 'reconnecting');
    s.textContent = t(live ? 'live' : 'reconnecting');
  }

  // ---------------------------------------------------------------- lists

  var pendingTicketReload = false;

  function scheduleRender(changedTicket) {
    if (changedTicket !== null && changedTicket === String(state.ticketId)) pendingTicketReload = true;
    if (renderTimer) return;
    renderTimer = setTimeout(function () {
      renderTimer = null;
      renderLists();
      if (pendingTicketReload) { pendingTicketReload = false; loadTicket(); }
    }, 50);
  }

  function filters() {
    return {
      customer: $('f-customer').value, severity: $('f-severity').value, state: $('f-state').value,
      assignee: $('f-assignee').value.trim().toLowerCase(), text: $('f-text').value.trim().toLowerCase()
    };
  }

  function keep(f, item, customer, severity, st, assignee) {
    if (f.customer && customer !== f.customer) return false;
    if (f.severity && severity !== f.severity) return false;
    if (f.state && st !== f.state) return false;
    if (f.assignee && (assignee || '').toLowerCase().indexOf(f.assignee) < 0) return false;
    if (f.text && JSON.stringify(item).toLowerCase().indexOf(f.text) < 0) return false;
    return true;
  }

  function fillSelect(sel, values) {
    var cur = sel.value;
    while (sel.options.length > 1) sel.remove(1);
    values.forEach(function (v) { var o = el('option', null, v); o.value = v; sel.appendChild(o); });
    sel.value = values.indexOf(cur) >= 0 ? cur : '';
  }

  function renderLists() {
    var f = filters();
    var customers = new Set();
    var states = new Set();
    state.faults.forEach(function (x) { if (x.labels && x.labels.customer) customers.add(x.labels.customer); states.add(x.state); });
    state.tickets.forEach(function (x) { customers.add(x.customer); states.add(x.state); });
    fillSelect($('f-customer'), Array.from(customers).sort());
    fillSelect($('f-state'), Array.from(states).sort());

    var fb = $('faults').tBodies[0];
    fb.textContent = '';
    var faults = Array.from(state.faults.values()).sort(function (a, b) {
      return a.severity < b.severity ? -1 : a.severity > b.severity ? 1 : (Date.parse(b.startsAt) - Date.parse(a.startsAt));
    });
    var nf = 0;
    faults.forEach(function (x) {
      var labels = x.labels || {};
      var tk = x.ticketId !== null && x.ticketId !== undefined ? state.tickets.get(String(x.ticketId)) : null;
      if (!keep(f, x, labels.customer, x.severity, x.state, tk && tk.assignee)) return;
      nf++;
      var tr = el('tr', 'sev-' + x.severity);
      tr.setAttribute('data-fingerprint', x.fingerprint);
      tr.appendChild(el('td', 'sev', x.severity));
      tr.appendChild(el('td', null, (labels.customer || '—') + ' / ' + (labels.system || '—')));
      tr.appendChild(el('td', null, x.summary || x.rule));
      tr.appendChild(el('td', null, x.muting && x.muting.muted ? x.state + ' · muted' : x.state));
      tr.appendChild(el('td', null, ago(x.firingAt || x.startsAt)));
      var td = el('td');
      if (x.ticketId !== null && x.ticketId !== undefined) {
        var a = el('a', null, '#' + x.ticketId);
        a.href = '#ticket/' + x.ticketId;
        td.appendChild(a);
      }
      tr.appendChild(td);
      var act = el('td');
      var b = el('button', 'btn small silence', t('silence'));
      b.type = 'button';
      b.disabled = !operator();
      b.addEventListener('click', function () { silence(x); });
      act.appendChild(b);
      tr.appendChild(act);
      fb.appendChild(tr);
    });
    $('faults-count').textContent = String(nf);

    var tb = $('tickets').tBodies[0];
    tb.textContent = '';
    var tickets = Array.from(state.tickets.values()).sort(function (a, b) { return a.severity < b.severity ? -1 : a.severity > b.severity ? 1 : b.id - a.id; });
    var nt = 0;
    tickets.forEach(function (x) {
      if (!keep(f, x, x.customer, x.severity, x.state, x.assignee)) return;
      nt++;
      var tr = el('tr', 'sev-' + x.severity);
      tr.setAttribute('data-ticket', String(x.id));
      tr.setAttribute('data-state', x.state);
      var a = el('a', null, '#' + x.id);
      a.href = '#ticket/' + x.id;
      var td = el('td');
      td.appendChild(a);
      tr.appendChild(td);
      tr.appendChild(el('td', 'sev', x.severity));
      tr.appendChild(el('td', null, x.customer + (x.system ? ' / ' + x.system : '')));
      tr.appendChild(el('td', null, x.summary));
      tr.appendChild(el('td', 'state', x.state));
      tr.appendChild(el('td', 'assignee', x.assignee || '—'));
      var due = x.state === 'open' || x.state === 'reopened' ? x.respondBy : x.resolveBy;
      var dueTd = el('td', due && Date.parse(due) < Date.now() ? 'breached' : null, due ? when(due) : '—');
      tr.appendChild(dueTd);
      var act = el('td');
      if (x.state === 'open' || x.state === 'reopened') {
        var b = el('button', 'btn small ack', t('ack'));
        b.type = 'button';
        b.disabled = !operator();
        b.addEventListener('click', function () { act1(x.id, 'ack', {}); });
        act.appendChild(b);
      }
      tr.appendChild(act);
      tb.appendChild(tr);
    });
    $('tickets-count').textContent = String(nt);
  }

  function silence(f) {
    var matchers = [];
    Object.keys(f.labels || {}).sort().forEach(function (k) { matchers.push({ name: k, value: f.labels[k], isRegex: false, isEqual: true }); });
    api('POST', '/api/v1/silences', {
      matchers: matchers, endsAt: new Date(Date.now() + 2 * 3600000).toISOString(),
      createdBy: state.me ? state.me.name : 'console', comment: 'silenced from the console: ' + (f.summary || f.rule)
    }).catch(showError);
  }

  function act1(id, action, body) {
    return api('POST', '/api/v1/tickets/' + id + '/' + action, body).catch(function (e) { showError(e); throw e; });
  }

  // ---------------------------------------------------------------- ticket page

  function route() {
    var m = /^#ticket\/(\d+)$/.exec(location.hash);
    state.ticketId = m ? Number(m[1]) : null;
    $('lists').hidden = !!m;
    $('ticket').hidden = !m;
    if (m) loadTicket();
    else renderLists();
  }

  function loadTicket() {
    var id = state.ticketId;
    if (id === null) return;
    Promise.all([api('GET', '/api/v1/tickets/' + id), api('GET', '/api/v1/tickets/' + id + '/timeline'),
      api('GET', '/api/v1/tickets/' + id + '/similar').catch(function () { return { resolutions: [] }; })])
      .then(function (r) { if (state.ticketId === id) renderTicket(r[0], r[1].timeline || [], r[2].resolutions || []); })
      .catch(showError);
  }

  function renderTicket(tk, timeline, similar) {
    $('t-title').textContent = '#' + tk.id + ' · ' + tk.severity + ' ' + t('sevName')[tk.severity] + ' · ' + tk.summary;
    $('ticket').setAttribute('data-state', tk.state);
    $('ticket').setAttribute('data-assignee', tk.assignee || '');
    var facts = $('t-facts');
    facts.textContent = '';
    [[t('state'), tk.state], [t('customer'), tk.customer + (tk.system ? ' / ' + tk.system : '')], [t('assignee'), tk.assignee || t('none')],
      [t('opened'), when(tk.openedAt)], [t('respondBy'), when(tk.respondBy)], [t('resolveBy'), when(tk.resolveBy)]]
      .forEach(function (p) {
        var d = el('div', 'fact');
        d.appendChild(el('span', 'k', p[0]));
        d.appendChild(el('span', 'v', p[1]));
        facts.appendChild(d);
      });
    var canAct = operator();
    var open = tk.state !== 'resolved' && tk.state !== 'closed';
    $('a-ack').disabled = !canAct || !(tk.state === 'open' || tk.state === 'reopened');
    $('a-assign').disabled = !canAct || !open;
    $('a-comment-btn').disabled = !canAct;
    $('a-resolve').disabled = !canAct || !open;
    $('resolve').hidden = !open;
    if (tk.resolution) {
      [[t('cause'), tk.resolution.cause], [t('fix'), tk.resolution.fix], [t('prevention'), tk.resolution.prevention], [t('kind'), tk.resolution.kind]]
        .forEach(function (p) {
          var d = el('div', 'fact resolution');
          d.appendChild(el('span', 'k', p[0]));
          d.appendChild(el('span', 'v', p[1]));
          facts.appendChild(d);
        });
    }
    var tl = $('t-timeline');
    tl.textContent = '';
    timeline.forEach(function (e) {
      var li = el('li', 'ev ev-' + e.source);
      li.appendChild(el('time', null, when(e.at)));
      li.appendChild(el('span', 'kind', e.kind));
      li.appendChild(el('span', 'actor', e.actor || ''));
      var d = e.detail || {};
      var text = d.comment || d.text || d.to || d.assignee || d.cause || '';
      if (text) li.appendChild(el('span', 'detail', String(text)));
      tl.appendChild(li);
    });
    var sl = $('t-similar');
    sl.textContent = '';
    if (!similar.length) sl.appendChild(el('li', 'muted', t('none')));
    similar.forEach(function (s) {
      var li = el('li');
      var a = el('a', null, '#' + s.ticketId + ' ' + s.summary);
      a.href = '#ticket/' + s.ticketId;
      li.appendChild(a);
      li.appendChild(el('div', 'muted', t('cause') + ': ' + s.cause + ' · ' + t('fix') + ': ' + s.fix));
      sl.appendChild(li);
    });
  }

  // ---------------------------------------------------------------- start

  function applyLang() {
    document.documentElement.lang = state.lang === 'zh' ? 'zh-CN' : 'en';
    var nodes = document.querySelectorAll('[data-i18n]');
    for (var i = 0; i < nodes.length; i++) {
      var v = t(nodes[i].getAttribute('data-i18n'));
      if (typeof v === 'string') nodes[i].textContent = v;
    }
    setLive(state.live);
    if (state.storage) applyStorage(state.storage);
    document.title = t('title');
    if (state.ticketId !== null) loadTicket(); else renderLists();
  }

  function showLogin() {
    $('login').hidden = false;
  }

  function begin() {
    api('GET', '/api/v1/whoami').then(function (me) {
      state.me = me;
      $('who').textContent = me.name + ' (' + me.role + (me.customer ? ', ' + me.customer : '') + ')' + (operator() ? '' : ' · ' + t('readOnly'));
      $('login').hidden = true;
      connect();
      route();
    }).catch(function (e) { showError(e); showLogin(); });
  }

  function start() {
    var params = new URLSearchParams(location.search);
    state.lang = params.get('lang') === 'zh' || (!params.get('lang') && load(LANG_KEY) === 'zh') ? 'zh' : 'en';
    if (params.get('token')) {
      store(TOKEN_KEY, params.get('token'));
      params.delete('token');
      history.replaceState(null, '', location.pathname + (params.toString() ? '?' + params : '') + location.hash);
    }
    state.token = load(TOKEN_KEY);
    ['f-customer', 'f-severity', 'f-state'].forEach(function (id) { $(id).addEventListener('change', renderLists); });
    ['f-assignee', 'f-text'].forEach(function (id) { $(id).addEventListener('input', renderLists); });
    $('lang').addEventListener('click', function () { state.lang = state.lang === 'zh' ? 'en' : 'zh'; store(LANG_KEY, state.lang); applyLang(); });
    $('logout').addEventListener('click', function (e) { e.preventDefault(); store(TOKEN_KEY, null); location.reload(); });
    $('login').addEventListener('submit', function (e) { e.preventDefault(); state.token = $('token').value.trim(); store(TOKEN_KEY, state.token); begin(); });
    $('a-ack').addEventListener('click', function () { act1(state.ticketId, 'ack', {}).then(loadTicket, function () {}); });
    $('a-assign').addEventListener('click', function () {
      act1(state.ticketId, 'assign', { assignee: $('a-assignee').value.trim() }).then(loadTicket, function () {});
    });
    $('a-comment-btn').addEventListener('click', function () {
      act1(state.ticketId, 'comments', { text: $('a-comment').value }).then(function () { $('a-comment').value = ''; loadTicket(); }, function () {});
    });
    $('resolve').addEventListener('submit', function (e) {
      e.preventDefault();
      act1(state.ticketId, 'resolve', { cause: $('r-cause').value, fix: $('r-fix').value, prevention: $('r-prevention').value, kind: $('r-kind').value })
        .then(loadTicket, function () {});
    });
    window.addEventListener('hashchange', route);
    setInterval(function () { if (state.ticketId === null) renderLists(); }, 30000);
    applyLang();
    if (!state.token) showLogin(); else begin();
  }

  window.VigilConsole = { state: state };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
})();
