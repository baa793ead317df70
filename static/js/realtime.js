// Realtime voice on the conversation page: the microphone and a WebRTC peer connection
// whose offer goes to Kaiwa (never to the provider: Kaiwa holds the key, the call id and
// the deadline), the partner's voice played back, and the transcript read from the
// `oai-events` data channel and posted to Kaiwa line by line, with each line's item id (when
// the server follows the call on its sideband it stores the same lines, and each is kept
// once). The server hangs the call up at the session's deadline. It also tells the partner
// to wrap up shortly before when it holds the sideband (`Kaiwa-Sideband: held` on the
// offer's answer); otherwise this script does, on the data channel.
(function () {
  "use strict";
  var panel = document.getElementById("realtime");
  if (!panel || !window.RTCPeerConnection || !navigator.mediaDevices) return;
  var startButton = panel.querySelector(".realtime-start");
  var stopButton = panel.querySelector(".realtime-stop");
  var status = panel.querySelector(".realtime-status");
  var audio = panel.querySelector(".realtime-audio");
  var transcript = document.getElementById("transcript");
  var csrf = panel.getAttribute("data-csrf");
  var pc = null, channel = null, mic = null, timers = [], sideband = false;

  function say(text) { status.textContent = text; }

  function show(role, text) {
    if (!transcript) return;
    var div = document.createElement("div");
    div.className = "message " + (role === "learner" ? "user" : "partner");
    var p = document.createElement("p");
    p.className = "text";
    p.textContent = text;
    div.appendChild(p);
    transcript.appendChild(div);
  }

  // Lines are posted one by one, in order; a failed post is kept and sent with the next.
  var queue = [], posting = false;
  function post(role, text, itemId) {
    text = (text || "").trim();
    if (!text) return;
    show(role, text);
    var line = { role: role, text: text };
    if (itemId) line.item_id = itemId;
    queue.push(line);
    flush();
  }
  function flush() {
    if (posting || queue.length === 0) return Promise.resolve();
    posting = true;
    var lines = queue.splice(0, queue.length);
    return fetch(panel.getAttribute("data-transcript"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ lines: lines })
    }).then(function (res) {
      posting = false;
      if (!res.ok && res.status >= 500) queue = lines.concat(queue);
      if (queue.length) return flush();
    }, function () {
      posting = false;
      queue = lines.concat(queue);
    });
  }

  function onEvent(e) {
    var event;
    try { event = JSON.parse(e.data); } catch (_) { return; }
    if (event.type === "conversation.item.input_audio_transcription.completed") {
      post("learner", event.transcript, event.item_id);
    } else if (event.type === "response.output_audio_transcript.done" ||
               event.type === "response.audio_transcript.done") {
      post("partner", event.transcript, event.item_id);
    }
  }

  function wrapUp() {
    if (!channel || channel.readyState !== "open") return;
    channel.send(JSON.stringify({
      type: "response.create",
      response: { instructions: panel.getAttribute("data-wrap-up") }
    }));
  }

  function stop(message) {
    timers.forEach(clearTimeout);
    timers = [];
    if (channel) channel.close();
    if (pc) pc.close();
    if (mic) mic.getTracks().forEach(function (t) { t.stop(); });
    pc = channel = mic = null;
    startButton.hidden = false;
    stopButton.hidden = true;
    flush();
    say(message || "The call has ended. Your transcript is kept: end the conversation below for your feedback.");
  }

  function secondsLeft() {
    var clock = document.getElementById("session-clock");
    var left = clock ? parseInt(clock.getAttribute("data-seconds-left"), 10) : NaN;
    return left > 0 ? left - Math.round((Date.now() - loadedAt) / 1000) : null;
  }
  var loadedAt = Date.now();

  // The wrap-up and the end of the call, from the session clock (the server hangs up at
  // the deadline in any case).
  function schedule() {
    timers.forEach(clearTimeout);
    timers = [];
    var left = secondsLeft();
    var wrapAt = parseInt(panel.getAttribute("data-wrap-up-seconds"), 10) || 30;
    if (left === null) return;
    if (!sideband) timers.push(setTimeout(wrapUp, Math.max(0, left - wrapAt) * 1000));
    timers.push(setTimeout(function () {
      stop("This session's time is up, so the call has ended. End the conversation below for your feedback.");
    }, left * 1000));
  }

  // During a call an extension is posted without leaving the page (which would drop the
  // call); the session clock is replaced by the new one and the timers follow it.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!pc || !form.matches || !form.matches("#session-clock form")) return;
    e.preventDefault();
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(new FormData(form))
    }).then(function (res) { return res.text(); }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("session-clock");
      var clock = document.getElementById("session-clock");
      if (fresh && clock) {
        clock.replaceWith(document.importNode(fresh, true));
        loadedAt = Date.now();
        schedule();
      }
    });
  });

  function start() {
    startButton.hidden = true;
    say("Connecting…");
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
      mic = stream;
      pc = new RTCPeerConnection();
      pc.ontrack = function (e) { audio.srcObject = e.streams[0]; };
      pc.onconnectionstatechange = function () {
        if (pc && (pc.connectionState === "failed" || pc.connectionState === "closed" ||
                   pc.connectionState === "disconnected")) stop();
      };
      stream.getTracks().forEach(function (t) { pc.addTrack(t, stream); });
      channel = pc.createDataChannel("oai-events");
      channel.onmessage = onEvent;
      return pc.createOffer();
    }).then(function (offer) {
      return pc.setLocalDescription(offer).then(function () { return offer; });
    }).then(function (offer) {
      return fetch(panel.getAttribute("data-offer"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/sdp", "X-CSRF-Token": csrf },
        body: offer.sdp
      });
    }).then(function (res) {
      return res.text().then(function (body) {
        if (!res.ok) {
          var doc = new DOMParser().parseFromString(body, "text/html");
          var why = doc.querySelector("main p, .error p, p");
          throw new Error(why ? why.textContent : "The call could not start (" + res.status + ").");
        }
        sideband = res.headers.get("Kaiwa-Sideband") === "held";
        return pc.setRemoteDescription({ type: "answer", sdp: body });
      });
    }).then(function () {
      stopButton.hidden = false;
      say("Connected: speak when you're ready.");
      schedule();
    }).catch(function (err) {
      stop(err && err.message ? err.message : "The call could not start.");
    });
  }

  startButton.hidden = false;
  startButton.addEventListener("click", start);
  stopButton.addEventListener("click", function () { stop(); });
  var endForm = document.querySelector("form.end-form");
  if (endForm) {
    endForm.addEventListener("submit", function (e) {
      if (!pc && queue.length === 0) return;
      e.preventDefault();
      stop();
      flush().then(function () { endForm.submit(); });
    });
  }
})();
