// Keyboard shortcuts for the item page; every action has a key (listed on the page).
"use strict";
(function () {
  const form = document.getElementById("rating-form");
  const audio = document.getElementById("utterance-audio");
  const note = document.getElementById("note");
  const status = document.getElementById("audio-status");
  const tags = Array.from(document.querySelectorAll("table.tags tr[data-tag]")).map((row) => row.dataset.tag);

  function togglePlay() {
    if (!audio) return; // an utterance without a recording or times: nothing to play
    if (audio.paused) {
      audio.currentTime = 0;
      audio.play().catch((err) => { status.textContent = "cannot play: " + err.message; });
    } else {
      audio.pause();
    }
  }
  if (audio) {
    document.getElementById("play").addEventListener("click", togglePlay);
    audio.addEventListener("loadedmetadata", () => { status.textContent = audio.duration.toFixed(1) + " s"; });
    audio.addEventListener("error", () => { status.textContent = "audio unavailable"; });
  }

  function answer(index, value) {
    const tag = tags[index];
    if (!tag) return;
    const input = document.getElementById("answer-" + tag + "-" + value);
    input.checked = true;
    document.querySelectorAll("table.tags tr").forEach((row) => row.classList.toggle("selected", row.dataset.tag === tag));
  }

  // the transcript check's fields (validation items only)
  const speakerRight = document.getElementById("speaker-right");
  const rightParticipant = document.getElementById("right-participant");
  const misheard = document.getElementById("misheard-words");
  function checkSpeaker(value) {
    if (!speakerRight) return;
    speakerRight.value = value;
    if (value === "no" && rightParticipant) rightParticipant.focus();
  }

  function submit() {
    if (typeof form.requestSubmit === "function") form.requestSubmit(); else form.submit();
  }

  document.addEventListener("keydown", (event) => {
    // fields of the transcript check take their own keys; Escape leaves them
    if (event.target.closest && event.target.closest("fieldset.transcript-check")) {
      if (event.key === "Escape") { event.target.blur(); event.preventDefault(); }
      return;
    }
    if (event.target === note) {
      if (event.key === "Escape") { note.blur(); event.preventDefault(); }
      else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); submit(); }
      return;
    }
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (speakerRight) {
      const field = { y: "yes", x: "no", u: "unsure" }[event.key];
      if (field) { event.preventDefault(); checkSpeaker(field); return; }
      if (event.key === "w" && rightParticipant) { event.preventDefault(); rightParticipant.focus(); return; }
      if (event.key === "m" && misheard) { event.preventDefault(); misheard.focus(); misheard.select(); return; }
    }
    // event.code, not event.key, so Shift+1 means "no for tag 1" on every keyboard layout.
    const digit = /^(?:Digit|Numpad)([1-9])$/.exec(event.code);
    if (digit) {
      event.preventDefault();
      answer(Number(digit[1]) - 1, event.shiftKey ? "no" : "yes");
      return;
    }
    switch (event.key) {
      case " ":
      case "p":
        event.preventDefault();
        togglePlay();
        break;
      case "Enter":
        event.preventDefault();
        submit();
        break;
      case "n":
        event.preventDefault();
        note.focus();
        break;
      case "j":
        event.preventDefault();
        window.location.assign(document.getElementById("skip").href);
        break;
      case "q":
        event.preventDefault();
        window.location.assign(document.querySelector(".crumbs a").href);
        break;
    }
  });
})();
