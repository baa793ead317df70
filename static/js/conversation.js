// Kaiwa conversation page: streams the partner's reply into place (server-sent events),
// sends on Enter, and adds voice where the browser can: speech input and read-aloud in a
// voice for the language, with a speed control. Everything here is an enhancement; the page
// works without it.
(function () {
  "use strict";
  var transcript = document.getElementById("transcript");
  if (!transcript) return;
  var lang = transcript.dataset.voice || transcript.dataset.lang || "";
  var providerVoice = transcript.dataset.providerVoice === "1";
  var conversationId = transcript.dataset.id;
  var csrf = (document.querySelector("input[name=csrf_token]") || {}).value || "";

  function stream(bubble) {
    if (bubble.dataset.streaming) return;
    bubble.dataset.streaming = "1";
    var text = bubble.querySelector(".text");
    var retry = bubble.querySelector(".no-js-retry");
    if (retry) retry.remove();
    text.textContent = "";
    var source = new EventSource(bubble.dataset.stream);
    source.addEventListener("token", function (e) { text.textContent += e.data; });
    source.addEventListener("done", function (e) {
      source.close();
      if (e.data) {
        var holder = document.createElement("template");
        holder.innerHTML = e.data;
        var parts = Array.prototype.slice.call(holder.content.children);
        bubble.replaceWith(parts[0]);
        parts.slice(1).forEach(function (el) {
          var old = el.id && document.getElementById(el.id);
          if (old) old.replaceWith(el);
        });
        enableSpeech();
      } else {
        bubble.remove();
      }
    });
    source.addEventListener("failed", function (e) {
      source.close();
      delete bubble.dataset.streaming;
      text.textContent = e.data + " ";
      var again = document.createElement("button");
      again.type = "button";
      again.className = "button secondary";
      again.textContent = "Try again";
      again.addEventListener("click", function () { stream(bubble); });
      text.appendChild(again);
    });
    source.onerror = function () {
      if (source.readyState === EventSource.CLOSED) return;
      source.close();
      delete bubble.dataset.streaming;
    };
  }

  function startPending() {
    transcript.querySelectorAll("[data-stream]").forEach(stream);
  }

  function rate() {
    var r = document.querySelector(".rate");
    return r ? parseFloat(r.value) : 0.9;
  }

  function playFromProvider(button) {
    var message = button.closest(".message");
    var audio = new Audio("/conversations/" + conversationId + "/messages/" + message.id.slice(2) + "/audio");
    audio.playbackRate = rate();
    audio.play();
  }

  function enableSpeech() {
    if (providerVoice) {
      document.querySelectorAll("button.speak").forEach(function (b) {
        b.hidden = false;
        if (b.dataset.bound) return;
        b.dataset.bound = "1";
        b.addEventListener("click", function () { playFromProvider(b); });
      });
      var label = document.querySelector(".rate-label");
      if (label) label.hidden = false;
      return;
    }
    if (!("speechSynthesis" in window)) return;
    document.querySelectorAll("button.speak").forEach(function (b) {
      b.hidden = false;
      if (b.dataset.bound) return;
      b.dataset.bound = "1";
      b.addEventListener("click", function () {
        var u = new SpeechSynthesisUtterance(b.dataset.text);
        u.lang = lang;
        u.rate = rate();
        var voice = speechSynthesis.getVoices().find(function (v) { return v.lang === lang; });
        if (voice) u.voice = voice;
        speechSynthesis.cancel();
        speechSynthesis.speak(u);
      });
    });
    var rateLabel = document.querySelector(".rate-label");
    if (rateLabel) rateLabel.hidden = false;
  }

  function recordWithProvider(mic, box) {
    if (!navigator.mediaDevices || !window.MediaRecorder) return false;
    mic.hidden = false;
    var recorder = null;
    mic.addEventListener("click", function () {
      if (recorder) { recorder.stop(); return; }
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
        var chunks = [];
        var started = Date.now();
        recorder = new MediaRecorder(stream);
        recorder.ondataavailable = function (e) { chunks.push(e.data); };
        recorder.onstop = function () {
          stream.getTracks().forEach(function (t) { t.stop(); });
          var blob = new Blob(chunks, { type: recorder.mimeType || "audio/webm" });
          recorder = null;
          mic.textContent = "🎤 Speak";
          fetch("/conversations/" + conversationId + "/transcribe", {
            method: "POST", body: blob,
            headers: { "Content-Type": blob.type, "X-CSRF-Token": csrf, "X-Audio-Seconds": String((Date.now() - started) / 1000) }
          }).then(function (r) { return r.ok ? r.json() : null; }).then(function (j) {
            if (j && j.text) { box.value = (box.value + " " + j.text).trim(); box.focus(); }
          });
        };
        recorder.start();
        mic.textContent = "■ Stop";
      });
    });
    return true;
  }

  function enableMic() {
    var Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
    var mic = document.querySelector("button.mic");
    var box = document.getElementById("content");
    if (!mic || !box) return;
    if (providerVoice && recordWithProvider(mic, box)) return;
    if (!Recognition) return;
    mic.hidden = false;
    mic.addEventListener("click", function () {
      var r = new Recognition();
      r.lang = lang;
      r.interimResults = false;
      mic.disabled = true;
      r.onresult = function (e) { box.value = (box.value + " " + e.results[0][0].transcript).trim(); };
      r.onend = function () { mic.disabled = false; box.focus(); };
      r.start();
    });
  }

  // The session clock: the server rendered the seconds left; count them down, warn in the
  // last minute (the server decides what happens at the deadline).
  function startClock() {
    var clock = document.getElementById("session-clock");
    if (!clock) return;
    var left = parseInt(clock.getAttribute("data-seconds-left"), 10);
    if (!(left > 0)) return;
    var text = clock.querySelector(".clock-session");
    var warning = clock.querySelector(".clock-warning");
    var end = Date.now() + left * 1000;
    function tick() {
      var s = Math.max(0, Math.round((end - Date.now()) / 1000));
      var m = Math.floor(s / 60);
      var r = s % 60;
      text.textContent = s === 0 ? "This session's time is up"
        : (m > 0 ? m + " min " : "") + (r > 0 || m === 0 ? r + " s " : "") + "left in this session";
      if (s <= 60 && warning) {
        warning.hidden = false;
        clock.classList.add("warn");
      }
      if (s > 0) setTimeout(tick, 1000);
    }
    tick();
  }

  var box = document.getElementById("content");
  if (box) {
    box.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        box.form.requestSubmit();
      }
    });
  }
  document.body.addEventListener("htmx:afterSwap", startPending);
  document.body.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail.elt;
    if (!form.matches || !form.matches("form.composer")) return;
    var errors = form.querySelector(".composer-error");
    if (e.detail.successful) {
      form.reset();
      if (errors) errors.innerHTML = "";
    }
  });
  document.body.addEventListener("htmx:beforeSwap", function (e) {
    // why: htmx leaves 4xx answers unswapped; a refused message shows its reason by the box.
    var form = e.detail.requestConfig && e.detail.requestConfig.elt;
    var refused = e.detail.xhr.status === 422 || e.detail.xhr.status === 403;
    if (refused && form && form.matches && form.matches("form.composer")) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
      e.detail.target = form.querySelector(".composer-error");
    }
  });
  startClock();
  startPending();
  enableSpeech();
  enableMic();
})();
