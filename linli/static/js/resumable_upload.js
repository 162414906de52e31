/* Resumable uploads (tus, through the pinned tus-js-client served from static_vendor/tus).
 *
 * Markup (templates/core/_resumable_upload.html):
 *   <div data-resumable-upload data-endpoint="/api/uploads/" data-purpose="campaigns.video"
 *        data-min-width="1280" data-min-height="720" data-min-seconds="180" data-max-bytes="…"
 *        data-msg-*="…translated messages…">
 *     <input type="file" accept="video/*"> <progress> <span data-upload-status> <input type="hidden" name="…">
 *
 * Before sending, the browser reads the video's size and length where it can (and says what is
 * wrong at once); then the file goes in 2 MB pieces, each retried after a cut, and an upload broken
 * off by a reload resumes from what the server has. The hidden input gets the upload's id when done;
 * the server checks every rule again.
 */
(function () {
  "use strict";

  var CHUNK = 2 * 1024 * 1024; // small enough for a weak phone network; each piece is retried alone
  var RETRIES = [0, 1000, 3000, 5000, 10000, 20000, 30000];

  function format(template, values) {
    return (template || "").replace(/\{(\w+)\}/g, function (_m, key) { return values[key]; });
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function readVideo(file) {
    return new Promise(function (resolve) {
      var video = document.createElement("video");
      var url = URL.createObjectURL(file);
      var done = function (info) { URL.revokeObjectURL(url); resolve(info); };
      video.preload = "metadata";
      video.onloadedmetadata = function () {
        done({ width: video.videoWidth, height: video.videoHeight, seconds: video.duration });
      };
      video.onerror = function () { done(null); }; // a format this browser cannot read: the server decides
      video.src = url;
    });
  }

  function problem(box, file, info) {
    var d = box.dataset;
    if (d.maxBytes && file.size > parseInt(d.maxBytes, 10)) return d.msgTooLarge;
    if (!info) return "";
    var minW = parseInt(d.minWidth || "0", 10), minH = parseInt(d.minHeight || "0", 10);
    var longSide = Math.max(info.width, info.height), shortSide = Math.min(info.width, info.height);
    if (longSide < Math.max(minW, minH) || shortSide < Math.min(minW, minH)) {
      return format(d.msgTooSmall, { width: info.width, height: info.height });
    }
    if (d.minSeconds && isFinite(info.seconds) && info.seconds < parseFloat(d.minSeconds)) {
      var s = Math.floor(info.seconds);
      return format(d.msgTooShort, { length: Math.floor(s / 60) + ":" + ("0" + (s % 60)).slice(-2) });
    }
    return "";
  }

  function setup(box) {
    var input = box.querySelector("input[type=file]");
    var hidden = box.querySelector("input[type=hidden]");
    var bar = box.querySelector("progress");
    var status = box.querySelector("[data-upload-status]");
    var d = box.dataset;
    var current = null;

    function say(text, state) {
      status.textContent = text;
      box.dataset.state = state;
    }

    input.addEventListener("change", function () {
      var file = input.files[0];
      if (current) { current.abort(); current = null; }
      hidden.value = "";
      bar.value = 0;
      if (!file) return;
      say(d.msgChecking, "checking");
      readVideo(file).then(function (info) {
        var wrong = problem(box, file, info);
        if (wrong) { say(wrong, "refused"); input.value = ""; return; }
        var upload = new tus.Upload(file, {
          endpoint: d.endpoint,
          chunkSize: CHUNK,
          retryDelays: RETRIES,
          removeFingerprintOnSuccess: true,
          metadata: { purpose: d.purpose, filename: file.name, filetype: file.type || "" },
          headers: { "X-CSRFToken": csrfToken() },
          onProgress: function (sent, total) {
            bar.max = total;
            bar.value = sent;
            say(format(d.msgProgress, { percent: Math.floor((sent / total) * 100) + "%" }), "uploading");
          },
          onShouldRetry: function () { say(d.msgRetrying, "retrying"); return true; },
          onError: function () { say(d.msgFailed, "failed"); },
          onSuccess: function () {
            hidden.value = upload.url.replace(/\/$/, "").split("/").pop();
            bar.value = bar.max;
            say(d.msgDone, "done");
          }
        });
        current = upload;
        upload.findPreviousUploads().then(function (previous) {
          if (previous.length) upload.resumeFromPreviousUpload(previous[0]);
          upload.start();
        });
      });
    });
  }

  document.querySelectorAll("[data-resumable-upload]").forEach(setup);
})();
