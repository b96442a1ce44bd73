// The simulator page: the customer's side of a conversation. Everything goes through the dev server's
// WebSocket (/simulator/socket), which signs real Twilio webhooks / relay frames towards the ingress.
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const messages = $('messages');
  const events = $('events');
  const trace = $('trace');
  let traceTimer = null;
  let socket;
  let conversationId = null;
  let streaming = null; // the agent bubble receiving voice tokens

  const PHONE = '+15559876543';
  $('channel').addEventListener('change', () => {
    const chat = $('channel').value === 'CHAT';
    const identity = $('identity');
    if (chat && identity.value.startsWith('+')) identity.value = 'alice';
    if (!chat && !identity.value.startsWith('+')) identity.value = PHONE;
  });

  function bubble(kind, text) {
    const div = document.createElement('div');
    div.className = 'msg ' + kind;
    div.textContent = text;
    messages.appendChild(div);
    messages.scrollTop = messages.scrollHeight;
    return div;
  }

  function showEvent(e) {
    const li = document.createElement('li');
    li.dataset.topic = e.topic;
    const time = new Date(e.at).toISOString().substring(11, 23);
    li.innerHTML = '<span class="time"></span> <span class="topic"></span> <span class="type"></span>'
      + '<details><summary>p' + e.partition + '@' + e.offset + '</summary><pre></pre></details>';
    li.querySelector('.time').textContent = time;
    li.querySelector('.topic').textContent = e.topic;
    li.querySelector('.type').textContent = e.eventType;
    li.querySelector('pre').textContent = e.detail || '';
    events.appendChild(li);
    events.scrollTop = events.scrollHeight;
  }

  // the last turn's spans (GET /simulator/trace), fetched again shortly after each pipeline event
  function refreshTrace() {
    if (!conversationId) return;
    clearTimeout(traceTimer);
    traceTimer = setTimeout(() => {
      fetch('/simulator/trace?conversationId=' + encodeURIComponent(conversationId))
        .then((r) => (r.ok ? r.json() : null))
        .then((t) => { if (t && t.conversationId === conversationId) showTrace(t.spans); })
        .catch(() => {});
    }, 300);
  }

  function showTrace(spans) {
    trace.innerHTML = '';
    const total = spans.reduce((end, s) => Math.max(end, s.startMs + s.durationMs), 0) || 1;
    spans.forEach((s) => {
      const li = document.createElement('li');
      li.className = 'span' + (s.error ? ' error' : '');
      li.innerHTML = '<span class="name"></span><span class="bar"><i></i></span><span class="ms"></span>';
      li.querySelector('.name').textContent = s.name;
      li.querySelector('.name').style.paddingLeft = (s.depth * 0.6) + 'rem';
      li.querySelector('.name').title = s.kind + (s.service ? ' · ' + s.service : '');
      const bar = li.querySelector('.bar i');
      bar.style.marginLeft = (100 * s.startMs / total) + '%';
      bar.style.width = Math.max(0.5, 100 * s.durationMs / total) + '%';
      li.querySelector('.ms').textContent = s.durationMs.toFixed(1) + ' ms';
      trace.appendChild(li);
    });
  }

  const handlers = {
    hello: (m) => {
      $('status').textContent = 'connected' + (m.fakeTwilio ? ' · local fake Twilio API' : ' · real Twilio account')
        + ' · agent number ' + m.agentNumber;
      document.body.dataset.connected = 'true';
    },
    conversation: (m) => {
      conversationId = m.conversationId;
      $('conversation').textContent = m.channel + ' conversation ' + m.conversationId + ' as ' + m.identity;
      bubble('note', 'New ' + m.channel + ' conversation');
      events.innerHTML = '';
      trace.innerHTML = '';
    },
    sent: (m) => { if (m.status >= 300) bubble('error', m.via + ' answered ' + m.status); },
    reply: (m) => { if (m.conversationId === conversationId) { bubble('agent', m.text); refreshTrace(); } },
    token: (m) => {
      if (m.conversationId !== conversationId) return;
      if (!streaming) { streaming = bubble('agent streaming', ''); }
      streaming.textContent += m.token;
      if (m.last) refreshTrace();
      if (m.last) { streaming.classList.remove('streaming'); streaming = null; }
      messages.scrollTop = messages.scrollHeight;
    },
    interrupted: () => {
      if (streaming) { streaming.classList.remove('streaming'); streaming.classList.add('interrupted'); streaming = null; }
      bubble('note', 'You interrupted the agent');
    },
    frame: (m) => bubble('note', describeFrame(m.frame)),
    callClosed: (m) => bubble('note', 'Call socket closed (' + m.code + ')'),
    ended: (m) => {
      bubble('note', 'Conversation ' + m.conversationId.substring(0, 10) + '… ended');
      if (m.conversationId === conversationId) { $('conversation').textContent = 'Ended: ' + m.conversationId; }
    },
    event: (m) => { showEvent(m); refreshTrace(); },
    error: (m) => bubble('error', m.text),
  };

  // the relay frames an agent sends besides text: what a caller would hear or what changes on the call
  function describeFrame(f) {
    switch (f.type) {
      case 'play': return 'Playing ' + f.source + (f.loop !== undefined ? ' (loop ' + f.loop + ')' : '');
      case 'sendDigits': return 'Agent sent digits ' + f.digits;
      case 'language': return 'Language: speech ' + (f.ttsLanguage || 'unchanged') + ', transcription '
          + (f.transcriptionLanguage || 'unchanged');
      case 'end': return 'Agent ended the session' + (f.handoffData ? ' with handoff data ' + f.handoffData : '');
      default: return 'Relay frame: ' + JSON.stringify(f);
    }
  }

  function connect() {
    socket = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/simulator/socket');
    socket.onmessage = (msg) => {
      const m = JSON.parse(msg.data);
      (handlers[m.type] || (() => {}))(m);
    };
    socket.onclose = () => {
      document.body.dataset.connected = 'false';
      $('status').textContent = 'disconnected: is switchboard dev running? retrying…';
      setTimeout(connect, 1000);
    };
  }

  function act(action) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(action));
  }

  $('composer').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const text = $('text').value.trim();
    if (!text) return;
    if (streaming) { handlers.interrupted(); act({ action: 'interrupt' }); }
    bubble('customer', text);
    act({ action: 'send', channel: $('channel').value, identity: $('identity').value, text: text });
    $('text').value = '';
  });
  $('interrupt').addEventListener('click', () => act({ action: 'interrupt' }));
  $('end').addEventListener('click', () => { act({ action: 'end' }); });
  connect();
}());
