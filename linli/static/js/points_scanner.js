/* 扫码核销 on the fulfil page: read the pickup QR code on the resident's phone with the rear
   camera and post it through the fulfil form; the camera keeps running for the next code.
   Decoding: the browser's BarcodeDetector when it reads QR codes (Android, macOS), else jsQR,
   served by the app (static_vendor/jsqr) and loaded only then. Typing the code always works. */
(function () {
  "use strict";

  var root = document.getElementById("scanner");
  if (!root) return;
  var startButton = root.querySelector('[data-testid="scan-start"]');
  var stopButton = root.querySelector('[data-testid="scan-stop"]');
  var view = root.querySelector("[data-scan-view]");
  var video = root.querySelector("video");
  var statusLine = root.querySelector('[data-testid="scan-status"]');
  var FRAME_MS = 150;
  // The code just handled stays in front of the camera for a while: read it again only after
  // it has been out of sight this long (then the server says it was used).
  var SAME_CODE_MS = 3000;
  var MAX_SIDE = 640; // jsQR: frames scaled down to this, plenty for a code filling part of the view
  var stream = null, decode = null, timer = null, busy = false, lastCode = null, lastSeen = 0;

  function say(text, tone) {
    statusLine.textContent = text;
    statusLine.className = "small mt-2 " + ({ error: "text-danger", ok: "text-success" }[tone] || "text-secondary");
  }

  function setState(state) {
    root.dataset.state = state;
  }

  root.hidden = false;
  setState("idle");
  if (!window.isSecureContext) {
    startButton.disabled = true;
    say(root.dataset.msgInsecure, "error");
    return;
  }
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    startButton.disabled = true;
    say(root.dataset.msgUnsupported, "error");
    return;
  }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      if (window.jsQR) return resolve();
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function jsqrDecoder() {
    return loadScript(root.dataset.jsqrSrc).then(function () {
      var canvas = document.createElement("canvas");
      var context = canvas.getContext("2d", { willReadFrequently: true });
      return function () {
        var width = video.videoWidth, height = video.videoHeight;
        if (!width || !height) return Promise.resolve(null);
        var scale = Math.min(1, MAX_SIDE / Math.max(width, height));
        canvas.width = Math.round(width * scale);
        canvas.height = Math.round(height * scale);
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        var pixels = context.getImageData(0, 0, canvas.width, canvas.height);
        var found = window.jsQR(pixels.data, canvas.width, canvas.height, { inversionAttempts: "attemptBoth" });
        return Promise.resolve(found ? found.data : null);
      };
    });
  }

  function nativeDecoder() {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    return function () {
      return detector.detect(video).then(function (codes) { return codes.length ? codes[0].rawValue : null; });
    };
  }

  function makeDecoder() {
    if (!("BarcodeDetector" in window)) return jsqrDecoder();
    return window.BarcodeDetector.getSupportedFormats()
      .then(function (formats) { return formats.indexOf("qr_code") >= 0 ? nativeDecoder() : jsqrDecoder(); })
      .catch(jsqrDecoder);
  }

  function cameraMessage(error) {
    var name = error && error.name;
    if (name === "NotAllowedError" || name === "SecurityError" || name === "PermissionDeniedError") {
      return root.dataset.msgDenied;
    }
    if (name === "NotFoundError" || name === "DevicesNotFoundError" || name === "OverconstrainedError") {
      return root.dataset.msgNoCamera;
    }
    return root.dataset.msgFailed;
  }

  function start() {
    startButton.disabled = true;
    setState("starting");
    say(root.dataset.msgStarting);
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (opened) {
        stream = opened;
        return makeDecoder();
      })
      .then(function (decoder) {
        decode = decoder;
        video.srcObject = stream;
        view.hidden = false;
        return video.play();
      })
      .then(function () {
        startButton.hidden = true;
        stopButton.hidden = false;
        setState("scanning");
        say(root.dataset.msgScanning);
        next();
      })
      .catch(function (error) {
        stop();
        setState("error");
        say(cameraMessage(error), "error");
      });
  }

  function stop() {
    clearTimeout(timer);
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.srcObject = null;
    view.hidden = true;
    startButton.hidden = false;
    startButton.disabled = false;
    stopButton.hidden = true;
    setState("idle");
  }

  function next() {
    timer = setTimeout(tick, FRAME_MS);
  }

  function tick() {
    if (!stream) return;
    if (busy || video.readyState < 2) return next();
    decode()
      .then(function (text) { if (text) found(String(text).trim()); })
      .catch(function () { /* a frame that cannot be read: try the next one */ })
      .then(function () { if (stream) next(); });
  }

  function found(code) {
    var now = Date.now();
    if (code === lastCode && now - lastSeen < SAME_CODE_MS) {
      lastSeen = now;
      return;
    }
    lastCode = code;
    lastSeen = now;
    submit(code);
  }

  function submit(code) {
    var form = document.querySelector('[data-testid="fulfil-form"]');
    form.querySelector('[name="code"]').value = code;
    if (!window.fetch) {
      // An old browser: the plain form post (the page reloads, the camera stops).
      stop();
      form.submit();
      return;
    }
    busy = true;
    setState("checking");
    say(root.dataset.msgChecking);
    var body = new FormData(form);
    body.set("scanned", "1");
    fetch(form.action, { method: "POST", body: body, headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) {
        if (response.redirected) {
          window.location.assign(response.url); // signed out meanwhile: the login page
          throw new Error("redirected");
        }
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        var template = document.createElement("template");
        template.innerHTML = html;
        var fresh = template.content.querySelector("#fulfil-panel");
        if (!fresh) throw new Error("no panel");
        document.getElementById("fulfil-panel").replaceWith(fresh);
        if (window.htmx) window.htmx.process(fresh);
        report(fresh);
      })
      .catch(function () {
        say(root.dataset.msgNetwork, "error");
        lastCode = null; // let the same code be tried again
      })
      .then(function () {
        busy = false;
        if (stream) setState("scanning");
      });
  }

  function report(panel) {
    var done = panel.querySelector('[data-testid="fulfilled"]');
    var error = panel.querySelector('[data-testid="fulfil-error"]');
    if (done) {
      var reward = panel.querySelector('[data-testid="fulfilled-reward"]');
      say("✓ " + (reward ? reward.textContent + " · " : "") + root.dataset.msgNext, "ok");
    } else {
      say(error ? error.textContent : root.dataset.msgFailed, "error");
    }
    panel.scrollIntoView({ block: "nearest" });
  }

  startButton.addEventListener("click", start);
  stopButton.addEventListener("click", function () {
    stop();
    say("");
  });
  window.addEventListener("pagehide", stop);
})();
