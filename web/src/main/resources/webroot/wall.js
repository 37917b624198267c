/*
 * Vigil NOC wall display.
 *
 * Plain browser JavaScript, no build step. Connects to the live stream at /api/v1/stream,
 * keeps the active faults and open tickets in memory and renders them for a wall screen.
 *
 * Stream protocol (see the brief in the server's StreamHub):
 *   {"type":"snapshot","seq":N,"faults":[...],"tickets":[...]}  replaces all local state
 *   {"type":"fault","seq":N+1,"fault":{...}}                     upsert by fingerprint; resolved -> remove
 *   {"type":"ticket","seq":N+2,"ticket":{...}}                   upsert by id; resolved/closed -> off the panel
 *   {"type":"resume","from":S,"seq":N}                          after ?since=S: the missed deltas follow
 *   {"type":"batch","messages":[delta, ...]}                     deltas that waited for the previous message
 *   {"type":"overflow","seq":N,"reason":"..."}                   we were too slow: reconnect afresh
 * Seqs rise, with gaps (another customer's deltas, or states the server merged for a slow
 * client); a seq at or below the last one applied is already shown and is ignored. Reconnecting
 * passes ?since=<last seq applied>: the server replays what was missed, or sends a snapshot.
 *
 * All data reaches the DOM through textContent / attributes only, never innerHTML.
 */
(function () {
  'use strict';

  // ---------------------------------------------------------------- constants

  var TOKEN_KEY = 'vigil.token';
  var LANG_KEY = 'vigil.lang';
  var SOUND_KEY = 'vigil.sound';
  var HIDE_KEY = 'vigil.hideMuted';
  var SEVERITIES = ['P1', 'P2', 'P3', 'P4'];
  var BACKOFF_MIN_MS = 1000;
  var BACKOFF_MAX_MS = 15000;
  /** Consecutive closes before any message that we take as a probable auth failure. */
  var AUTH_FAIL_CLOSES = 2;
  /** Show the "connection lost" banner when not live for this long. */
  var STALE_AFTER_MS = 5000;
  /** A fault that arrives as a delta is marked NEW for this long. */
  var NEW_FOR_MS = 120000;
  /** A countdown below this is shown as "soon" (amber). */
  var SOON_MS = 10 * 60000;
  /** Auto-paging of an overfull wall: seconds per page, pause after the user scrolls. */
  var PAGE_EVERY_MS = 15000;
  var PAGE_PAUSE_AFTER_INPUT_MS = 60000;
  var MAX_TICKET_ROWS = 100;
  /** Above this many faults the cards get denser. */
  var DENSE_ABOVE = 18;

  // ---------------------------------------------------------------- dictionary

  var I18N = {
    en: {
      title: 'Vigil NOC',
      live: 'LIVE',
      connecting: 'CONNECTING',
      reconnecting: 'RECONNECTING',
      logout: 'log out',
      allClear: 'All clear — no active faults',
      allClearSub: 'Monitoring is live. Nothing needs attention.',
      storageDown: 'No faults known — but storage is unavailable',
      storageDownSub: 'New faults are not being recorded until it is back.',
      waiting: 'Waiting for data…',
      sevName: { P1: 'Critical', P2: 'Major', P3: 'Minor', P4: 'Warning' },
      sevOther: 'Other',
      pending: 'pending',
      firing: 'firing',
      isNew: 'NEW',
      age: 'active',
      agePending: 'pending',
      respondIn: 'respond in',
      resolveIn: 'resolve in',
      breached: 'BREACHED',
      ticket: 'Ticket',
      openTickets: 'Open tickets',
      noTickets: 'No open tickets',
      more: function (n) { return '+' + n + ' more'; },
      page: function (a, b) { return 'Page ' + a + ' / ' + b; },
      stale: function (t) { return 'Connection lost — reconnecting. Data shown is from ' + t + ' and may be out of date.'; },
      staleNever: 'Not connected to the Vigil server yet — retrying.',
      ticketState: {
        open: 'open', acknowledged: 'acknowledged', in_progress: 'in progress',
        pending_customer: 'waiting on customer', pending_vendor: 'waiting on vendor',
        resolved: 'resolved', closed: 'closed', reopened: 'reopened'
      },
      noCustomer: 'unknown customer',
      noSystem: 'unknown system',
      loginTitle: 'Access token',
      loginHint: 'Enter a Vigil API token (viewer role is enough).',
      loginSubmit: 'Connect',
      tokenRejected: 'token rejected',
      tokenPlaceholder: 'token',
      silenced: 'silenced',
      inhibited: 'inhibited',
      flapping: 'flapping',
      alarmAck: 'Acknowledge',
      console: 'console',
      alarmMore: function (n) { return '+' + n + ' more P1'; },
      soundOff: 'Mute sound',
      soundOn: 'Sound on',
      hideMuted: 'Hide muted & flapping',
      flappingTip: 'Changing state too often: pages are held back until it is quiet again.',
      sourceTip: function (src) { return 'Raised by ' + src + ' (an alert it sent), not by a Vigil rule.'; },
      clearing: 'clearing',
      clearingTip: function (t) { return 'Condition cleared; keep_firing_for holds it until ' + t + '.'; },
      graded: 'graded',
      mutedUntil: function (t) { return 'until ' + t; },
      countsNote: function (n) { return n ? '+' + n + ' muted, not counted' : ''; },
      countsLegend: 'Active faults by severity. Silenced (silence or maintenance window) and inhibited faults are shown dimmed and not counted.',
      docTitle: function (p1, total) {
        return (total ? '(' + total + (p1 ? ' · P1 ' + p1 : '') + ') ' : '') + 'Vigil NOC';
      }
    },
    zh: {
      title: 'Vigil NOC 监控大屏',
      live: '实时',
      connecting: '连接中',
      reconnecting: '重新连接中',
      logout: '退出登录',
      allClear: '一切正常 — 当前无故障',
      allClearSub: '监控运行中，暂无需要处理的事项。',
      storageDown: '暂无已知故障 — 但存储不可用',
      storageDownSub: '存储恢复前，新故障无法记录。',
      waiting: '正在等待数据…',
      sevName: { P1: '一级', P2: '二级', P3: '三级', P4: '四级' },
      sevOther: '其他',
      pending: '待触发',
      firing: '告警中',
      isNew: '新',
      age: '持续',
      agePending: '待触发',
      respondIn: '响应剩余',
      resolveIn: '解决剩余',
      breached: '已超时',
      ticket: '工单',
      openTickets: '未结工单',
      noTickets: '暂无未结工单',
      more: function (n) { return '另有 ' + n + ' 项'; },
      page: function (a, b) { return '第 ' + a + ' / ' + b + ' 页'; },
      stale: function (t) { return '连接中断 — 正在重连。当前显示的是 ' + t + ' 的数据，可能已过时。'; },
      staleNever: '尚未连接到 Vigil 服务器 — 正在重试。',
      ticketState: {
        open: '待响应', acknowledged: '已确认', in_progress: '处理中',
        pending_customer: '等待客户', pending_vendor: '等待第三方',
        resolved: '已解决', closed: '已关闭', reopened: '重新打开'
      },
      noCustomer: '未知客户',
      noSystem: '未知系统',
      loginTitle: '访问令牌',
      loginHint: '请输入 Vigil API 令牌（viewer 角色即可）。',
      loginSubmit: '连接',
      tokenRejected: '令牌无效',
      tokenPlaceholder: '令牌',
      silenced: '已静默',
      inhibited: '已抑制',
      flapping: '抖动中',
      alarmAck: '确认',
      console: '控制台',
      alarmMore: function (n) { return '另有 ' + n + ' 个一级故障'; },
      soundOff: '静音',
      soundOn: '开启声音',
      hideMuted: '隐藏静默与抖动',
      flappingTip: '状态变化过于频繁：在恢复稳定前暂停呼叫。',
      sourceTip: function (src) { return '由 ' + src + ' 发来的告警产生，而非 Vigil 规则。'; },
      clearing: '恢复观察中',
      clearingTip: function (t) { return '条件已消失；保持告警至 ' + t + '。'; },
      graded: '已升级',
      mutedUntil: function (t) { return '至 ' + t; },
      countsNote: function (n) { return n ? '另有 ' + n + ' 项已静默/抑制，不计入' : ''; },
      countsLegend: '按级别统计的活动故障。已静默（静默或维护窗口）和已抑制的故障以暗色显示，不计入统计。',
      docTitle: function (p1, total) {
        return (total ? '(' + total + (p1 ? ' · P1 ' + p1 : '') + ') ' : '') + 'Vigil NOC';
      }
    }
  };

  // ---------------------------------------------------------------- state

  var state = {
    lang: 'en',
    token: null,
    faults: new Map(),   // fingerprint -> fault
    tickets: new Map(),  // id (string) -> ticket
    newUntil: new Map(), // fingerprint -> ms until which the card is marked NEW
    seq: null,
    haveSnapshot: false, // on the current socket
    everSnapshot: false, // since page load / login
    lastLiveAt: 0,       // last moment the data was known to be current
    conn: 'connecting',
    alarmSeen: new Set(), // P1 fingerprints acknowledged on this screen (banner button)
    soundOff: false,      // the alarm's sound muted on this screen (remembered)
    hideMuted: false,     // silenced / inhibited / flapping faults hidden (remembered)
    kiosk: false
  };

  var ws = null;
  var wsGotMessage = false;
  var closesWithoutMessage = 0;
  var backoffMs = BACKOFF_MIN_MS;
  var reconnectTimer = null;
  var renderTimer = null;
  var stopped = false;      // true while waiting for a token (login shown)
  var probeInFlight = false;

  // Elements updated by the 1 s tick, collected at render time.
  var tickAges = [];        // {el, since}
  var tickSlas = [];        // {el, valEl, labelEl, due, kind, card}
  var tickNew = [];         // {el, fp}
  var tickSparks = [];      // {el, f}: sparkline boxes of this render

  var lastUserScroll = 0;
  var lastPageTurn = 0;

  // ---------------------------------------------------------------- helpers

  function $(id) { return document.getElementById(id); }

  function t(key) {
    var d = I18N[state.lang] || I18N.en;
    return d[key] !== undefined ? d[key] : I18N.en[key];
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function lsGet(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }
  function lsSet(key, value) {
    try {
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, value);
    } catch (e) { /* storage disabled: keep it in memory only */ }
  }

  /** RFC 3339 -> epoch ms (handles nanosecond fractions that Date.parse may not). */
  function parseTime(s) {
    if (!s || typeof s !== 'string') return null;
    var m = /^(\d{4}-\d\d-\d\d)[Tt ](\d\d:\d\d(?::\d\d)?)(?:\.(\d+))?([Zz]|[+-]\d\d:?\d\d)?$/.exec(s.trim());
    var ms;
    if (m) {
      var frac = m[3] ? '.' + (m[3] + '00').slice(0, 3) : '';
      var zone = !m[4] || m[4] === 'z' ? 'Z' : m[4];
      if (zone.length === 5) zone = zone.slice(0, 3) + ':' + zone.slice(3);
      ms = Date.parse(m[1] + 'T' + m[2] + frac + zone);
    } else {
      ms = Date.parse(s);
    }
    return isNaN(ms) ? null : ms;
  }

  function logError(what, item, e) {
    if (window.console && console.error) console.error('vigil wall: cannot render ' + what, item, e);
  }

  function pad2(n) { return n < 10 ? '0' + n : String(n); }

  /** 45s, 3m 12s, 2h 05m, 3d 04h. */
  function fmtDuration(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    if (s < 60) return s + 's';
    var m = Math.floor(s / 60);
    if (m < 60) return m + 'm ' + pad2(s % 60) + 's';
    var h = Math.floor(m / 60);
    if (h < 24) return h + 'h ' + pad2(m % 60) + 'm';
    var d = Math.floor(h / 24);
    return d + 'd ' + pad2(h % 24) + 'h';
  }

  function sevRank(sev) {
    var i = SEVERITIES.indexOf(sev);
    return i < 0 ? SEVERITIES.length : i;
  }

  function sevClass(sev) {
    return SEVERITIES.indexOf(sev) >= 0 ? 'sev-' + sev : 'sev-other';
  }

  function isOpenTicket(tk) {
    return tk && tk.state !== 'resolved' && tk.state !== 'closed';
  }

  /** The SLA deadline that matters for a ticket now: {kind:'respond'|'resolve', due:ms} or null. */
  function slaOf(tk) {
    if (!tk) return null;
    if (tk.state === 'open' || (tk.state === 'reopened' && !tk.respondedAt)) {
      var r = parseTime(tk.respondBy);
      return r === null ? null : { kind: 'respond', due: r, warn: parseTime(tk.sla && tk.sla.respondWarnAt) };
    }
    // A clock stopped while waiting on the customer has no due time (resolveBy null): no countdown.
    if (tk.state === 'acknowledged' || tk.state === 'in_progress' || tk.state === 'reopened' ||
        tk.state === 'pending_customer' || tk.state === 'pending_vendor') {
      var v = parseTime(tk.resolveBy);
      return v === null ? null : { kind: 'resolve', due: v, warn: parseTime(tk.sla && tk.sla.resolveWarnAt) };
    }
    return null;
  }

  function faultSince(f) {
    if (f.state === 'firing' && f.firingAt) return parseTime(f.firingAt);
    return parseTime(f.startsAt) || parseTime(f.firingAt);
  }

  /** 'silenced', 'inhibited' or null: how the server muted this fault (silences include maintenance windows). */
  function mutedAs(f) {
    var m = f && f.muting;
    if (!m || typeof m !== 'object') return null;
    if (m.silenced) return 'silenced';
    if (m.inhibitedBy) return 'inhibited';
    return null;
  }

  function ticketFor(f) {
    if (f.ticketId === null || f.ticketId === undefined) return null;
    return state.tickets.get(String(f.ticketId)) || null;
  }

  // ---------------------------------------------------------------- language

  function initialLang() {
    var q = new URLSearchParams(window.location.search).get('lang');
    if (q) {
      q = q.toLowerCase();
      var l = q.indexOf('zh') === 0 ? 'zh' : (q.indexOf('en') === 0 ? 'en' : null);
      if (l) { lsSet(LANG_KEY, l); return l; }
    }
    var stored = lsGet(LANG_KEY);
    if (stored === 'zh' || stored === 'en') return stored;
    var nav = (navigator.language || (navigator.languages && navigator.languages[0]) || '').toLowerCase();
    return nav.indexOf('zh') === 0 ? 'zh' : 'en';
  }

  function applyLang() {
    var root = document.documentElement;
    root.lang = state.lang === 'zh' ? 'zh-CN' : 'en';
    root.setAttribute('data-lang', state.lang);
    var other = state.lang === 'zh' ? I18N.en : I18N.zh;
    var nodes = document.querySelectorAll('[data-i18n]');
    for (var i = 0; i < nodes.length; i++) {
      var v = t(nodes[i].getAttribute('data-i18n'));
      if (typeof v === 'string') nodes[i].textContent = v;
    }
    // The login form shows both languages: the current one, then the other one smaller.
    var alts = document.querySelectorAll('[data-i18n-alt]');
    for (var j = 0; j < alts.length; j++) {
      var a = other[alts[j].getAttribute('data-i18n-alt')];
      alts[j].textContent = typeof a === 'string' ? a : '';
      alts[j].lang = state.lang === 'zh' ? 'en' : 'zh-CN';
    }
    $('token').placeholder = I18N[state.lang].tokenPlaceholder + ' / ' + other.tokenPlaceholder;
    $('lang').setAttribute('data-current', state.lang);
    $('lang').setAttribute('aria-label', state.lang === 'zh' ? 'Switch to English' : '切换到中文');
    setStatus(state.conn);
    render();
  }

  function toggleLang() {
    state.lang = state.lang === 'zh' ? 'en' : 'zh';
    lsSet(LANG_KEY, state.lang);
    applyLang();
  }

  // ---------------------------------------------------------------- auth

  function initialToken() {
    var params = new URLSearchParams(window.location.search);
    var q = params.get('token');
    if (params.has('token')) {
      params.delete('token');
      var rest = params.toString();
      try {
        window.history.replaceState(null, '', window.location.pathname + (rest ? '?' + rest : '') + window.location.hash);
      } catch (e) { /* file:// or sandboxed: ignore */ }
      if (q) { lsSet(TOKEN_KEY, q); return q; }
    }
    var stored = lsGet(TOKEN_KEY);
    return stored ? stored : null;
  }

  function showLogin(rejected) {
    stopped = true;
    disconnect();
    var err = $('login-error');
    if (rejected) {
      err.textContent = '';
      var main = el('span', null, I18N[state.lang].tokenRejected);
      var alt = el('span', 'alt', (state.lang === 'zh' ? I18N.en : I18N.zh).tokenRejected);
      err.appendChild(main);
      err.appendChild(alt);
      err.hidden = false;
    } else {
      err.hidden = true;
      err.textContent = '';
    }
    $('login').hidden = false;
    var input = $('token');
    input.value = '';
    setTimeout(function () { try { input.focus(); } catch (e) { /* ignore */ } }, 0);
  }

  function hideLogin() {
    $('login').hidden = true;
    $('login-error').hidden = true;
  }

  function onLoginSubmit(ev) {
    ev.preventDefault();
    var v = $('token').value.trim();
    if (!v) return;
    state.token = v;
    lsSet(TOKEN_KEY, v);
    hideLogin();
    stopped = false;
    closesWithoutMessage = 0;
    backoffMs = BACKOFF_MIN_MS;
    setStatus('connecting');
    connect();
  }

  function logout(ev) {
    if (ev) ev.preventDefault();
    lsSet(TOKEN_KEY, null);
    state.token = null;
    resetData();
    setStatus('connecting');
    showLogin(false);
    render();
  }

  function resetData() {
    state.faults.clear();
    state.tickets.clear();
    state.newUntil.clear();
    state.seq = null;
    state.everSnapshot = false;
    state.lastLiveAt = 0;
  }

  // ---------------------------------------------------------------- connection

  function streamUrl() {
    var proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    var url = proto + '//' + window.location.host + '/api/v1/stream?token=' + encodeURIComponent(state.token);
    if (state.everSnapshot && typeof state.seq === 'number') url += '&since=' + state.seq;
    return url;
  }

  function setStatus(s) {
    state.conn = s;
    var st = $('status');
    st.setAttribute('data-state', s);
    $('status-text').textContent = t(s);
    st.title = t(s);
    updateStale();
  }

  function disconnect() {
    if (reconnectTimer) { clearTimeout(reconnectTimer); reconnectTimer = null; }
    if (state.haveSnapshot) state.lastLiveAt = Date.now();
    if (ws) {
      var old = ws;
      ws = null;
      old.onopen = old.onmessage = old.onerror = old.onclose = null;
      try { old.close(1000, 'client closing'); } catch (e) { /* ignore */ }
    }
    state.haveSnapshot = false;
  }

  function connect() {
    if (stopped || !state.token) return;
    disconnect();
    var sock;
    try {
      sock = new WebSocket(streamUrl());
    } catch (e) {
      scheduleReconnect();
      return;
    }
    ws = sock;
    wsGotMessage = false;
    state.haveSnapshot = false;
    sock.onmessage = function (ev) {
      if (sock !== ws) return;
      wsGotMessage = true;
      closesWithoutMessage = 0;
      onMessage(ev.data);
    };
    sock.onclose = function () {
      if (sock !== ws) return;
      ws = null;
      if (state.haveSnapshot) state.lastLiveAt = Date.now(); // the data was current until now
      state.haveSnapshot = false;
      if (!wsGotMessage) closesWithoutMessage++;
      setStatus(state.everSnapshot || closesWithoutMessage > 0 ? 'reconnecting' : 'connecting');
      if (closesWithoutMessage >= AUTH_FAIL_CLOSES) checkAuthThenRetry();
      else scheduleReconnect();
    };
    sock.onerror = function () { /* always followed by close */ };
  }

  /** Closes the current socket on purpose (gap, overflow, bad message) and reconnects. */
  function restart() {
    disconnect();
    setStatus('reconnecting');
    scheduleReconnect();
  }

  function scheduleReconnect() {
    if (stopped) return;
    if (reconnectTimer) clearTimeout(reconnectTimer);
    var delay = backoffMs;
    backoffMs = Math.min(backoffMs * 2, BACKOFF_MAX_MS);
    reconnectTimer = setTimeout(function () { reconnectTimer = null; connect(); }, delay);
  }

  /**
   * The socket closed before any message several times in a row: probably an auth failure, but
   * browsers hide the upgrade's HTTP status and a server that is down looks the same. So ask the
   * same endpoint over plain HTTP: 401/403 means the token is bad; a network error (server down),
   * 400/426 ("not a websocket request", i.e. the token was accepted) or 5xx means keep retrying.
   * Any other answer, or no fetch at all, cannot tell: treat it as a rejected token.
   */
  function checkAuthThenRetry() {
    if (probeInFlight) return;
    if (typeof window.fetch !== 'function') { showLogin(true); return; }
    probeInFlight = true;
    var url = '/api/v1/stream?token=' + encodeURIComponent(state.token);
    var tokenAtProbe = state.token;
    window.fetch(url, { headers: { Authorization: 'Bearer ' + state.token }, cache: 'no-store', credentials: 'omit' })
      .then(function (res) {
        probeInFlight = false;
        if (stopped || state.token !== tokenAtProbe) return;
        if (res.status === 401 || res.status === 403) {
          // Certain: forget the token so a reload does not try it again.
          lsSet(TOKEN_KEY, null);
          showLogin(true);
        } else if (res.status === 400 || res.status === 426 || res.status >= 500) {
          // 400/426: the token passed, only the websocket upgrade was missing; 5xx: server trouble.
          scheduleReconnect();
        } else {
          // Cannot tell: follow the protocol's rule of thumb and treat it as a rejected token.
          showLogin(true);
        }
      }, function () {
        probeInFlight = false;
        if (stopped || state.token !== tokenAtProbe) return;
        scheduleReconnect();
      });
  }

  // ---------------------------------------------------------------- protocol

  function onMessage(data) {
    var msg;
    try {
      msg = JSON.parse(data);
    } catch (e) {
      state.seq = null; // a message we could not read: resuming after it would skip it
      restart();
      return;
    }
    if (!msg || typeof msg !== 'object') return;
    if (msg.type === 'batch') {
      // Deltas that waited for our previous message, in order.
      var list = Array.isArray(msg.messages) ? msg.messages : [];
      for (var b = 0; b < list.length; b++) if (list[b] && typeof list[b] === 'object') handle(list[b]);
      return;
    }
    handle(msg);
  }

  function handle(msg) {
    if (msg.type === 'snapshot') {
      applySnapshot(msg);
      return;
    }
    if (msg.type === 'resume') {
      if (msg.from !== state.seq) { state.seq = null; restart(); return; } // not where we are: start afresh
      state.haveSnapshot = true;
      state.lastLiveAt = Date.now();
      state.resumes = (state.resumes || 0) + 1;
      backoffMs = BACKOFF_MIN_MS;
      closesWithoutMessage = 0;
      setStatus('live');
      render();
      return;
    }
    if (msg.type === 'overflow') {
      // The server drops us for reading too slowly; it closes the socket itself, we come back for a snapshot.
      state.seq = null;
      restart();
      return;
    }
    var isDelta = msg.type === 'fault' || msg.type === 'ticket' || msg.type === 'sla' || msg.type === 'storage';
    if (!isDelta && typeof msg.seq !== 'number') return; // unknown, unsequenced: ignore
    if (!state.haveSnapshot) {
      // A delta before the snapshot cannot be applied to anything: start over.
      if (isDelta) { state.seq = null; restart(); }
      return;
    }
    if (typeof msg.seq !== 'number') { state.seq = null; restart(); return; }
    if (msg.seq <= state.seq) return; // already applied (e.g. replayed across a reconnect)
    state.seq = msg.seq;
    if (msg.type === 'fault' && msg.fault) applyFault(msg.fault, true);
    else if ((msg.type === 'ticket' || msg.type === 'sla') && msg.ticket) applyTicket(msg.ticket);
    else if (msg.type === 'storage' && msg.storage) applyStorage(msg.storage);
    // Unknown types with the right seq are accepted and ignored (forward compatibility).
    state.lastLiveAt = Date.now();
    scheduleRender();
  }

  // Vigil's storage (PostgreSQL) stopped answering: what the wall shows may be stale and new faults
  // are not being recorded. Said across the top until the server says storage is back.
  function applyStorage(st) {
    var down = st && st.available === false;
    document.body.setAttribute('data-storage', down ? 'unavailable' : 'available');
    // "All clear" would be a lie while nothing can be recorded.
    var et = document.getElementById('empty-text');
    var es = document.getElementById('empty-sub');
    if (et && es) {
      et.setAttribute('data-i18n', down ? 'storageDown' : 'allClear');
      es.setAttribute('data-i18n', down ? 'storageDownSub' : 'allClearSub');
      et.textContent = t(et.getAttribute('data-i18n'));
      es.textContent = t(es.getAttribute('data-i18n'));
    }
    var b = document.getElementById('storage-banner');
    if (!b) return;
    b.hidden = !down;
    if (down) {
      var since = st.since ? new Date(st.since) : null;
      document.getElementById('storage-banner-since').textContent = since && !isNaN(since) ? ' since ' + since.toLocaleTimeString() : '';
    }
  }

  function applySnapshot(msg) {
    applyStorage(msg.storage || { available: true });
    state.faults.clear();
    state.tickets.clear();
    var now = Date.now();
    // Keep NEW markers of faults we already saw as new, drop the rest.
    var oldNew = state.newUntil;
    state.newUntil = new Map();
    var fs = Array.isArray(msg.faults) ? msg.faults : [];
    for (var i = 0; i < fs.length; i++) {
      var f = fs[i];
      if (!f || !f.fingerprint || f.state === 'resolved') continue;
      state.faults.set(f.fingerprint, f);
      var until = oldNew.get(f.fingerprint);
      if (until && until > now) state.newUntil.set(f.fingerprint, until);
    }
    var ts = Array.isArray(msg.tickets) ? msg.tickets : [];
    for (var j = 0; j < ts.length; j++) {
      if (ts[j] && ts[j].id !== undefined && ts[j].state !== 'closed') state.tickets.set(String(ts[j].id), ts[j]);
    }
    state.seq = typeof msg.seq === 'number' ? msg.seq : 0;
    state.haveSnapshot = true;
    state.everSnapshot = true;
    state.lastLiveAt = now;
    backoffMs = BACKOFF_MIN_MS;
    closesWithoutMessage = 0;
    if (!$('login').hidden) hideLogin();
    setStatus('live');
    render();
  }

  function applyFault(f, isDelta) {
    if (!f.fingerprint) return;
    if (f.state === 'resolved') {
      state.faults.delete(f.fingerprint);
      state.newUntil.delete(f.fingerprint);
      return;
    }
    if (isDelta && !state.faults.has(f.fingerprint)) state.newUntil.set(f.fingerprint, Date.now() + NEW_FOR_MS);
    state.faults.set(f.fingerprint, f);
  }

  function applyTicket(tk) {
    if (tk.id === undefined || tk.id === null) return;
    // Closed tickets are gone for good; resolved ones stay known (a still-active fault may point
    // at one) but are not listed on the open-ticket panel.
    if (tk.state === 'closed') state.tickets.delete(String(tk.id));
    else state.tickets.set(String(tk.id), tk);
  }

  // ---------------------------------------------------------------- rendering

  function scheduleRender() {
    if (renderTimer) return;
    renderTimer = setTimeout(function () { renderTimer = null; render(); }, 60);
  }

  function compareFaults(a, b) {
    var r = sevRank(a.severity) - sevRank(b.severity);
    if (r) return r;
    if (a.severity !== b.severity) return String(a.severity) < String(b.severity) ? -1 : 1;
    var ma = mutedAs(a) ? 1 : 0;
    var mb = mutedAs(b) ? 1 : 0;
    if (ma !== mb) return ma - mb;
    var pa = a.state === 'pending' ? 1 : 0;
    var pb = b.state === 'pending' ? 1 : 0;
    if (pa !== pb) return pa - pb;
    // Newest first inside a group: what just broke is what the room needs to see.
    var sa = faultSince(a) || 0;
    var sb = faultSince(b) || 0;
    if (sa !== sb) return sb - sa;
    return a.fingerprint < b.fingerprint ? -1 : (a.fingerprint > b.fingerprint ? 1 : 0);
  }

  function render() {
    if (renderTimer) { clearTimeout(renderTimer); renderTimer = null; }
    var now = Date.now();
    tickAges = [];
    tickSlas = [];
    tickNew = [];
    tickSparks = [];

    var all = Array.from(state.faults.values()).sort(compareFaults);
    var list = state.hideMuted ? all.filter(function (f) { return !mutedAs(f) && f.state !== 'flapping'; }) : all;
    // Muted faults are shown but not counted: the counters say what needs people now.
    var counts = { P1: 0, P2: 0, P3: 0, P4: 0 };
    var muted = 0;
    for (var i = 0; i < list.length; i++) {
      if (mutedAs(list[i])) muted++;
      else if (counts[list[i].severity] !== undefined) counts[list[i].severity]++;
    }

    renderCounts(counts, muted + (all.length - list.length));
    renderTiles(all);
    renderWall(list, now);
    renderAlarm(all);
    renderTickets(now);

    var hasFaults = list.length > 0;
    $('empty').hidden = hasFaults || !state.everSnapshot;
    $('waiting').hidden = hasFaults || state.everSnapshot;
    document.body.setAttribute('data-faults', String(list.length));
    document.body.classList.toggle('has-p1', counts.P1 > 0);
    // Many faults: tighter cards (one-line summaries) so more fit on one page.
    document.body.classList.toggle('dense', list.length > DENSE_ABOVE);
    document.title = I18N[state.lang].docTitle(counts.P1, list.length - muted);
    tick();
  }

  function renderCounts(counts, muted) {
    var d = I18N[state.lang];
    var box = $('counts');
    var nodes = box.querySelectorAll('.count');
    for (var i = 0; i < nodes.length; i++) {
      var sev = nodes[i].getAttribute('data-severity');
      var n = counts[sev] || 0;
      nodes[i].querySelector('.count-n').textContent = String(n);
      nodes[i].classList.toggle('zero', n === 0);
      nodes[i].title = sev + ' ' + d.sevName[sev] + ': ' + n + '\n' + d.countsLegend;
    }
    box.title = d.countsLegend;
    var note = $('counts-note');
    if (!note) {
      note = el('span', 'counts-note');
      note.id = 'counts-note';
      box.appendChild(note);
    }
    note.textContent = d.countsNote(muted);
    note.title = d.countsLegend;
    note.hidden = !muted;
  }

  function renderWall(list, now) {
    var wall = $('wall');
    var keepScroll = wall.scrollTop;
    var frag = document.createDocumentFragment();
    var i = 0;
    while (i < list.length) {
      var sev = list[i].severity;
      var j = i;
      while (j < list.length && list[j].severity === sev) j++;
      frag.appendChild(renderGroup(sev, list.slice(i, j), now));
      i = j;
    }
    wall.textContent = '';
    wall.appendChild(frag);
    wall.scrollTop = keepScroll;
    drawSparks();
  }

  // ---------------------------------------------------------------- tiles

  /** One tile per customer / system with an active fault, coloured by its worst unmuted severity (muted only: grey). */
  function renderTiles(all) {
    var worst = new Map();
    for (var i = 0; i < all.length; i++) {
      var f = all[i];
      var l = f.labels || {};
      var key = (l.customer || t('noCustomer')) + ' / ' + (l.system || t('noSystem'));
      var sev = mutedAs(f) ? 'muted' : f.severity;
      var cur = worst.get(key);
      if (!cur || (cur === 'muted' && sev !== 'muted') || (sev !== 'muted' && sevRank(sev) < sevRank(cur))) worst.set(key, sev);
    }
    var box = $('tiles');
    box.textContent = '';
    Array.from(worst.keys()).sort(function (a, b) {
      var sa = worst.get(a), sb = worst.get(b);
      var ra = sa === 'muted' ? 99 : sevRank(sa), rb = sb === 'muted' ? 99 : sevRank(sb);
      return ra - rb || (a < b ? -1 : a > b ? 1 : 0);
    }).forEach(function (k) {
      var sev = worst.get(k);
      var tile = el('span', 'tile ' + (sev === 'muted' ? 'is-muted' : sevClass(sev)), k);
      tile.setAttribute('data-severity', sev);
      box.appendChild(tile);
    });
    box.hidden = worst.size === 0;
  }

  // ---------------------------------------------------------------- sparklines

  /**
   * The last hour of the series behind each fault, from GET /api/v1/query_range (one point a
   * minute, averaged in the database), drawn with uPlot. The query: the rule's first metric,
   * narrowed by the fault's customer/system/host/instance labels, averaged into one line.
   */
  var SPARK_LABELS = ['customer', 'system', 'host', 'instance'];
  var SPARK_TTL_MS = 60000;
  var SPARK_MAX = 60;
  var sparkData = new Map();  // fingerprint -> {at, data|null, loading}
  var ruleMetrics = null;     // rule name -> metric
  var rulesAt = 0;

  function authHeaders() {
    return { headers: { Authorization: 'Bearer ' + state.token }, cache: 'no-store', credentials: 'omit' };
  }

  function loadRules() {
    if (typeof window.fetch !== 'function' || Date.now() - rulesAt < 300000) return;
    rulesAt = Date.now();
    window.fetch('/api/v1/rules', authHeaders()).then(function (r) { return r.ok ? r.json() : null; }).then(function (j) {
      if (!j || !Array.isArray(j.rules)) return;
      var m = new Map();
      j.rules.forEach(function (r) { if (r && r.name && Array.isArray(r.metrics) && r.metrics.length) m.set(r.name, r.metrics[0]); });
      ruleMetrics = m;
      scheduleRender();
    }, function () { rulesAt = 0; });
  }

  function sparkExpr(f) {
    var metric = ruleMetrics && ruleMetrics.get(f.rule);
    if (!metric) return null;
    var labels = f.labels || {};
    var ms = [];
    SPARK_LABELS.forEach(function (k) {
      if (typeof labels[k] === 'string' && labels[k]) ms.push(k + '="' + labels[k].replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"');
    });
    return 'avg(' + metric + (ms.length ? '{' + ms.join(', ') + '}' : '') + ')';
  }

  function fetchSpark(f, expr) {
    var fp = f.fingerprint;
    var entry = sparkData.get(fp) || { at: 0, data: null, loading: false };
    entry.loading = true;
    sparkData.set(fp, entry);
    var end = Math.floor(Date.now() / 1000);
    var url = '/api/v1/query_range?expr=' + encodeURIComponent(expr) + '&start=' + (end - 3600) + '&end=' + end + '&step=60';
    window.fetch(url, authHeaders()).then(function (r) { return r.ok ? r.json() : null; }).then(function (j) {
      entry.loading = false;
      entry.at = Date.now();
      var res = j && j.data && Array.isArray(j.data.result) && j.data.result[0];
      if (res && Array.isArray(res.values) && res.values.length > 1) {
        var xs = [], ys = [];
        res.values.forEach(function (p) { xs.push(p[0]); ys.push(parseFloat(p[1])); });
        entry.data = [xs, ys];
      } else {
        entry.data = null;
      }
      scheduleRender();
    }, function () { entry.loading = false; entry.at = Date.now(); });
  }

  function drawSparks() {
    if (typeof window.uPlot !== 'function' || !state.token) return;
    if (!ruleMetrics) { loadRules(); return; }
    var now = Date.now();
    var seen = new Set();
    for (var i = 0; i < tickSparks.length && i < SPARK_MAX; i++) {
      var s = tickSparks[i];
      var fp = s.f.fingerprint;
      seen.add(fp);
      var expr = sparkExpr(s.f);
      if (!expr) continue;
      var entry = sparkData.get(fp);
      if ((!entry || now - entry.at > SPARK_TTL_MS) && !(entry && entry.loading)) fetchSpark(s.f, expr);
      if (!entry || !entry.data) continue;
      var w = s.el.clientWidth;
      if (w < 40) continue;
      var color = getComputedStyle(s.el).color || '#8391a3';
      try {
        new window.uPlot({
          width: w, height: s.el.clientHeight || 32, cursor: { show: false }, legend: { show: false }, select: { show: false },
          axes: [{ show: false }, { show: false }], scales: { x: { time: true } },
          series: [{}, { stroke: color, width: 2, points: { show: false } }]
        }, entry.data, s.el);
        s.el.setAttribute('data-points', String(entry.data[0].length));
      } catch (e) { logError('sparkline', s.f, e); }
    }
    // Forget faults no longer on the wall.
    sparkData.forEach(function (v, k) { if (!seen.has(k) && !state.faults.has(k)) sparkData.delete(k); });
  }

  function renderGroup(sev, faults, now) {
    var known = SEVERITIES.indexOf(sev) >= 0;
    var g = el('section', 'group ' + sevClass(sev));
    g.setAttribute('data-severity', String(sev));
    var h = el('h2', 'group-head');
    h.appendChild(el('span', 'group-sev', sev));
    h.appendChild(el('span', 'group-name', known ? I18N[state.lang].sevName[sev] : t('sevOther')));
    h.appendChild(el('span', 'group-count', faults.length));
    g.appendChild(h);
    var grid = el('div', 'cards');
    for (var k = 0; k < faults.length; k++) {
      // One malformed fault must not blank the whole wall.
      try { grid.appendChild(renderCard(faults[k], now)); } catch (e) { logError('fault', faults[k], e); }
    }
    g.appendChild(grid);
    return g;
  }

  function renderCard(f, now) {
    var labels = f.labels && typeof f.labels === 'object' ? f.labels : {};
    var pending = f.state === 'pending';
    var muted = mutedAs(f);
    var card = el('article', 'fault ' + sevClass(f.severity) + (pending ? ' is-pending' : f.state === 'flapping' ? ' is-flapping' : ' is-firing') +
      (muted ? ' is-muted is-' + muted : ''));
    if (muted) card.setAttribute('data-muted', muted);
    card.setAttribute('data-fingerprint', String(f.fingerprint));
    card.setAttribute('data-severity', String(f.severity));
    card.setAttribute('data-state', String(f.state));
    if (f.id !== undefined && f.id !== null) card.setAttribute('data-id', String(f.id));

    // Top line: badge, customer / system, host, tags.
    var top = el('div', 'fault-top');
    top.appendChild(el('span', 'badge ' + sevClass(f.severity), f.severity));
    var target = el('span', 'target');
    target.appendChild(el('span', 'customer', labels.customer || t('noCustomer')));
    target.appendChild(el('span', 'sep', ' / '));
    target.appendChild(el('span', 'system', labels.system || t('noSystem')));
    top.appendChild(target);
    var tags = el('span', 'tags');
    var newTag = el('span', 'tag tag-new', t('isNew'));
    newTag.hidden = true;
    tags.appendChild(newTag);
    if (pending) tags.appendChild(el('span', 'tag tag-pending', t('pending')));
    if (f.state === 'flapping') {
      var flap = el('span', 'tag tag-flapping', t('flapping'));
      flap.title = t('flappingTip');
      tags.appendChild(flap);
    }
    var keepUntil = parseTime(f.keepFiringUntil);
    if (keepUntil !== null) {
      var ku = new Date(keepUntil);
      var clearing = el('span', 'tag tag-clearing', t('clearing'));
      clearing.title = I18N[state.lang].clearingTip(pad2(ku.getHours()) + ':' + pad2(ku.getMinutes()));
      tags.appendChild(clearing);
    }
    if (muted) tags.appendChild(el('span', 'tag tag-' + muted, t(muted)));
    // Faults from outside (e.g. Prometheus alerts) name their source; Vigil's own rules need no tag.
    if (f.source && f.source !== 'rule') {
      var src = el('span', 'tag tag-source', f.source);
      src.title = I18N[state.lang].sourceTip(f.source);
      tags.appendChild(src);
    }
    top.appendChild(tags);
    card.appendChild(top);
    tickNew.push({ el: card, tag: newTag, fp: f.fingerprint });

    var summary = el('div', 'summary', f.summary || f.rule || '');
    card.appendChild(summary);
    var spark = el('div', 'spark');
    spark.setAttribute('aria-hidden', 'true');
    card.appendChild(spark);
    tickSparks.push({ el: spark, f: f });
    // A fault raised above its rule's base grade says why (the server's explanation, step by step).
    if (Array.isArray(f.grading) && f.grading.length > 1) {
      var steps = f.grading.slice(1).map(String);
      var graded = el('div', 'grading', '\u2191 ' + steps.join(' \u00b7 '));
      graded.title = t('graded') + ': ' + f.grading.join(' \u2192 ');
      card.appendChild(graded);
    }
    if (muted) {
      // Why it is muted: the silence comment / window and its end, or the inhibiting fault.
      var until = parseTime(f.muting.until);
      var why = f.muting.reason || '';
      if (until !== null) {
        var u = new Date(until);
        why = I18N[state.lang].mutedUntil(pad2(u.getHours()) + ':' + pad2(u.getMinutes())) + (why ? ' · ' + why : '');
      }
      var reason = el('div', 'mute-reason', why);
      reason.title = f.muting.reason || '';
      card.appendChild(reason);
    }

    // Bottom line: rule, age, SLA.
    var meta = el('div', 'fault-meta');
    if (labels.host) meta.appendChild(el('span', 'host', labels.host));
    var ageWrap = el('span', 'age-wrap');
    ageWrap.appendChild(el('span', 'meta-label', pending ? t('agePending') : t('age')));
    var age = el('span', 'age');
    var since = faultSince(f);
    if (since !== null) age.setAttribute('data-since', new Date(since).toISOString());
    ageWrap.appendChild(age);
    meta.appendChild(ageWrap);
    var owner = ticketFor(f);
    if (owner && (owner.assignee || owner.group)) meta.appendChild(el('span', 'assignee', owner.assignee || owner.group));
    tickAges.push({ el: age, since: since });

    if (f.rule) card.title = f.rule + (f.summary ? ': ' + f.summary : '');

    var tk = ticketFor(f);
    if (f.ticketId !== null && f.ticketId !== undefined) {
      var slaBox = el('span', 'sla');
      slaBox.setAttribute('data-ticket-id', String(f.ticketId));
      slaBox.appendChild(el('span', 'ticket-ref', '#' + f.ticketId));
      var sla = slaOf(tk);
      if (sla) {
        var lbl = el('span', 'meta-label sla-label');
        var val = el('span', 'sla-val');
        slaBox.appendChild(lbl);
        slaBox.appendChild(val);
        slaBox.setAttribute('data-kind', sla.kind);
        slaBox.setAttribute('data-due', new Date(sla.due).toISOString());
        tickSlas.push({ el: slaBox, valEl: val, labelEl: lbl, due: sla.due, warn: sla.warn, kind: sla.kind, card: card });
      } else if (tk) {
        slaBox.appendChild(el('span', 'meta-label', I18N[state.lang].ticketState[tk.state] || tk.state));
      }
      meta.appendChild(slaBox);
    }
    card.appendChild(meta);
    return card;
  }

  function ticketDue(tk) {
    var s = slaOf(tk);
    if (s) return s.due;
    return parseTime(tk.resolveBy) || parseTime(tk.respondBy) || Infinity;
  }

  function renderTickets(now) {
    var open = [];
    state.tickets.forEach(function (tk) { if (isOpenTicket(tk)) open.push(tk); });
    open.sort(function (a, b) {
      var da = ticketDue(a), db = ticketDue(b);
      if (da !== db) return da < db ? -1 : 1;
      return sevRank(a.severity) - sevRank(b.severity);
    });
    $('tickets-count').textContent = String(open.length);
    var listEl = $('ticket-list');
    var frag = document.createDocumentFragment();
    var shown = Math.min(open.length, MAX_TICKET_ROWS);
    for (var i = 0; i < shown; i++) {
      try { frag.appendChild(renderTicketRow(open[i])); } catch (e) { logError('ticket', open[i], e); }
    }
    listEl.textContent = '';
    listEl.appendChild(frag);
    $('tickets-empty').hidden = open.length > 0;
    fitTickets(open.length);
  }

  /** Hides rows that would be cut off at the bottom and says how many are not shown. */
  function fitTickets(total) {
    var listEl = $('ticket-list');
    var more = $('tickets-more');
    var rows = listEl.children;
    var i;
    for (i = 0; i < rows.length; i++) rows[i].hidden = false;
    more.hidden = true;
    var visible = rows.length;
    if (total > visible || listEl.scrollHeight > listEl.clientHeight + 1) {
      // Reserve the "+N more" line first, then keep the rows that fit completely.
      more.textContent = I18N[state.lang].more(total);
      more.hidden = false;
      var limit = listEl.clientHeight;
      visible = 0;
      for (i = 0; i < rows.length; i++) {
        if (rows[i].offsetTop + rows[i].offsetHeight <= limit + 1) visible++;
        else break;
      }
      for (i = visible; i < rows.length; i++) rows[i].hidden = true;
      if (total > visible) more.textContent = I18N[state.lang].more(total - visible);
      else more.hidden = true;
    }
  }

  function renderTicketRow(tk) {
    var li = el('li', 'ticket ' + sevClass(tk.severity));
    li.setAttribute('data-ticket-id', String(tk.id));
    li.setAttribute('data-severity', String(tk.severity));
    li.setAttribute('data-state', String(tk.state));
    var line1 = el('div', 'ticket-line');
    line1.appendChild(el('span', 'badge ' + sevClass(tk.severity), tk.severity));
    line1.appendChild(el('span', 'ticket-id', '#' + tk.id));
    line1.appendChild(el('span', 'ticket-target', (tk.customer || '?') + ' / ' + (tk.system || '?')));
    li.appendChild(line1);
    var line2 = el('div', 'ticket-line ticket-line2');
    line2.appendChild(el('span', 'ticket-state state-' + String(tk.state), I18N[state.lang].ticketState[tk.state] || tk.state));
    var sla = slaOf(tk);
    if (sla) {
      var box = el('span', 'sla');
      var lbl = el('span', 'meta-label sla-label');
      var val = el('span', 'sla-val');
      box.appendChild(lbl);
      box.appendChild(val);
      box.setAttribute('data-kind', sla.kind);
      box.setAttribute('data-due', new Date(sla.due).toISOString());
      line2.appendChild(box);
      tickSlas.push({ el: box, valEl: val, labelEl: lbl, due: sla.due, warn: sla.warn, kind: sla.kind, card: li });
    }
    li.appendChild(line2);
    if (tk.summary) li.title = tk.summary;
    return li;
  }

  // ---------------------------------------------------------------- P1 banner and alarm

  /**
   * P1 faults that need someone: firing, not muted, their ticket not yet acknowledged, and not
   * acknowledged on this screen. Newest first.
   */
  function alarming(all) {
    var out = [];
    for (var i = 0; i < all.length; i++) {
      var f = all[i];
      if (f.severity !== 'P1' || f.state !== 'firing' || mutedAs(f) || state.alarmSeen.has(f.fingerprint)) continue;
      var tk = ticketFor(f);
      if (tk && tk.state !== 'open' && tk.state !== 'reopened') continue;
      out.push(f);
    }
    out.sort(function (a, b) { return (faultSince(b) || 0) - (faultSince(a) || 0); });
    return out;
  }

  var alarmList = [];
  var lastBeep = 0;
  var audioCtx = null;

  function renderAlarm(all) {
    alarmList = alarming(all);
    var banner = $('p1-banner');
    var d = I18N[state.lang];
    if (!alarmList.length) {
      banner.hidden = true;
      document.body.setAttribute('data-alarm', 'off');
      return;
    }
    var f = alarmList[0];
    $('p1-banner-sev').textContent = 'P1 ' + d.sevName.P1;
    $('p1-banner-text').textContent = f.summary || f.rule || f.fingerprint;
    var where = [f.labels && f.labels.customer, f.labels && f.labels.system].filter(Boolean).join(' / ');
    $('p1-banner-where').textContent = where + (alarmList.length > 1 ? ' · ' + d.alarmMore(alarmList.length - 1) : '');
    $('p1-ack').textContent = d.alarmAck;
    $('p1-sound').textContent = state.soundOff ? d.soundOn : d.soundOff;
    banner.hidden = false;
    document.body.setAttribute('data-alarm', state.soundOff ? 'muted' : 'sounding');
  }

  /** Two short tones every 4 s while a P1 waits, unless muted here. */
  function alarmTick(now) {
    if (!alarmList.length || state.soundOff || now - lastBeep < 4000) return;
    lastBeep = now;
    try {
      if (!audioCtx) {
        var Ctx = window.AudioContext || window.webkitAudioContext;
        if (!Ctx) return;
        audioCtx = new Ctx();
      }
      if (audioCtx.state === 'suspended') audioCtx.resume();
      [0, 0.35].forEach(function (at) {
        var o = audioCtx.createOscillator();
        var g = audioCtx.createGain();
        o.type = 'square';
        o.frequency.value = 880;
        g.gain.setValueAtTime(0.0001, audioCtx.currentTime + at);
        g.gain.exponentialRampToValueAtTime(0.25, audioCtx.currentTime + at + 0.02);
        g.gain.exponentialRampToValueAtTime(0.0001, audioCtx.currentTime + at + 0.25);
        o.connect(g).connect(audioCtx.destination);
        o.start(audioCtx.currentTime + at);
        o.stop(audioCtx.currentTime + at + 0.3);
      });
      document.body.setAttribute('data-beeps', String(Number(document.body.getAttribute('data-beeps') || 0) + 1));
    } catch (e) { /* no audio on this machine: the banner still shows */ }
  }

  function ackAlarm() {
    for (var i = 0; i < alarmList.length; i++) state.alarmSeen.add(alarmList[i].fingerprint);
    render();
  }

  function toggleSound() {
    state.soundOff = !state.soundOff;
    lsSet(SOUND_KEY, state.soundOff ? 'off' : null);
    render();
  }

  function toggleHideMuted() {
    state.hideMuted = !state.hideMuted;
    lsSet(HIDE_KEY, state.hideMuted ? '1' : null);
    $('hide-muted').setAttribute('aria-pressed', String(state.hideMuted));
    render();
  }

  // ---------------------------------------------------------------- 1 s tick

  function tick() {
    var now = Date.now();
    var d = I18N[state.lang];
    var i;
    for (i = 0; i < tickAges.length; i++) {
      var a = tickAges[i];
      a.el.textContent = a.since === null ? '—' : fmtDuration(now - a.since);
    }
    for (i = 0; i < tickSlas.length; i++) {
      var s = tickSlas[i];
      var left = s.due - now;
      var breached = left < 0;
      // Amber from the SLA's warning time (warn_at of the target), else the last SOON_MS.
      var soon = !breached && (typeof s.warn === 'number' ? now >= s.warn : left < SOON_MS);
      if (breached) {
        s.labelEl.textContent = d.breached;
        s.valEl.textContent = fmtDuration(-left);
      } else {
        s.labelEl.textContent = s.kind === 'respond' ? d.respondIn : d.resolveIn;
        s.valEl.textContent = fmtDuration(left);
      }
      s.el.classList.toggle('breached', breached);
      s.el.classList.toggle('soon', soon);
      s.card.classList.toggle('is-breached', breached);
    }
    for (i = 0; i < tickNew.length; i++) {
      var n = tickNew[i];
      var until = state.newUntil.get(n.fp);
      var isNew = !!until && until > now;
      n.tag.hidden = !isNew;
      n.el.classList.toggle('is-new', isNew);
    }
    tickClock(now);
    updateStale();
    autoPage(now);
    alarmTick(now);
  }

  function tickClock(now) {
    var dt = new Date(now);
    $('clock-time').textContent = pad2(dt.getHours()) + ':' + pad2(dt.getMinutes()) + ':' + pad2(dt.getSeconds());
    var date;
    if (state.lang === 'zh') {
      var wd = ['日', '一', '二', '三', '四', '五', '六'][dt.getDay()];
      date = dt.getFullYear() + '-' + pad2(dt.getMonth() + 1) + '-' + pad2(dt.getDate()) + ' 星期' + wd;
    } else {
      var wde = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][dt.getDay()];
      date = wde + ' ' + dt.getFullYear() + '-' + pad2(dt.getMonth() + 1) + '-' + pad2(dt.getDate());
    }
    $('clock-date').textContent = date;
  }

  function updateStale() {
    var banner = $('stale');
    if (!banner) return;
    var stale = state.conn !== 'live' && !stopped && state.token &&
      (state.everSnapshot ? Date.now() - state.lastLiveAt > STALE_AFTER_MS : closesWithoutMessage > 0);
    if (stale) {
      var d = I18N[state.lang];
      if (state.everSnapshot) {
        var dt = new Date(state.lastLiveAt);
        banner.textContent = d.stale(pad2(dt.getHours()) + ':' + pad2(dt.getMinutes()) + ':' + pad2(dt.getSeconds()));
      } else {
        banner.textContent = d.staleNever;
      }
    }
    banner.hidden = !stale;
    document.body.classList.toggle('is-stale', !!stale && state.everSnapshot);
  }

  /** When the faults do not fit, turn pages every PAGE_EVERY_MS so nothing stays hidden. */
  function autoPage(now) {
    var wall = $('wall');
    var pager = $('pager');
    var view = wall.clientHeight;
    var total = wall.scrollHeight;
    if (!view || total <= view + 4) {
      pager.hidden = true;
      if (wall.scrollTop) wall.scrollTop = 0;
      return;
    }
    var pages = Math.ceil(total / view);
    if (now - lastUserScroll > PAGE_PAUSE_AFTER_INPUT_MS && now - lastPageTurn >= PAGE_EVERY_MS) {
      if (lastPageTurn) {
        var next = wall.scrollTop + view >= total - 4 ? 0 : wall.scrollTop + Math.floor(view * 0.92);
        wall.scrollTop = next;
      }
      lastPageTurn = now;
    }
    var page = Math.min(pages, Math.floor(wall.scrollTop / (view * 0.92) + 0.5) + 1);
    if (wall.scrollTop + view >= total - 4) page = pages;
    pager.textContent = I18N[state.lang].page(page, pages);
    pager.hidden = false;
  }

  // ---------------------------------------------------------------- start

  function start() {
    state.lang = initialLang();
    state.token = initialToken();

    var params = new URLSearchParams(window.location.search);
    state.kiosk = params.get('kiosk') === '1';
    document.body.classList.toggle('kiosk', state.kiosk);
    state.soundOff = lsGet(SOUND_KEY) === 'off';
    state.hideMuted = lsGet(HIDE_KEY) === '1' || params.get('hide') === 'muted';
    $('hide-muted').setAttribute('aria-pressed', String(state.hideMuted));
    $('hide-muted').addEventListener('click', toggleHideMuted);
    $('p1-ack').addEventListener('click', ackAlarm);
    $('p1-sound').addEventListener('click', toggleSound);
    $('lang').addEventListener('click', toggleLang);
    $('logout').addEventListener('click', logout);
    $('login').addEventListener('submit', onLoginSubmit);
    var wall = $('wall');
    var userScroll = function () { lastUserScroll = Date.now(); };
    wall.addEventListener('wheel', userScroll, { passive: true });
    wall.addEventListener('touchstart', userScroll, { passive: true });
    wall.addEventListener('keydown', userScroll);
    var resizeTimer = null;
    window.addEventListener('resize', function () {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(render, 200);
    });

    applyLang();
    setInterval(tick, 1000);
    if (!state.token) {
      showLogin(false);
    } else {
      setStatus('connecting');
      connect();
    }
  }

  // Exposed for debugging from the console and for tests; not needed by the page itself.
  window.VigilWall = {
    state: state,
    fmtDuration: fmtDuration,
    parseTime: parseTime,
    reconnect: function () { restart(); },
    /** Drops the connection and stays away until {@code goOnline}: a network cut, for tests and demos. */
    goOffline: function () { stopped = true; disconnect(); setStatus('reconnecting'); },
    goOnline: function () { stopped = false; connect(); },
    i18n: I18N
  };

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
