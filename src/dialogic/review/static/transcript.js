// Transcript editor: every correction from the keyboard, synced to the audio (keys listed on the page).
// Each correction fills the page's one form and submits it, exactly as the no-script forms do.
"use strict";
(function () {
  const rows = Array.from(document.querySelectorAll("#transcript li.utterance"));
  const form = document.getElementById("edit-form");
  const audio = document.getElementById("clip");
  const wordEditor = document.getElementById("word-editor");
  const editText = document.getElementById("edit-text");
  const chooser = document.getElementById("speaker-chooser");
  const chooserWhat = document.getElementById("chooser-what");
  const newSpeaker = document.getElementById("new-speaker-name");
  const renameEditor = document.getElementById("rename-editor");
  const renameText = document.getElementById("rename-text");
  const renameWhat = document.getElementById("rename-what");
  const confirmPanel = document.getElementById("confirm");
  const confirmText = document.getElementById("confirm-text");
  const confirmYes = document.getElementById("confirm-yes");
  if (!rows.length || !form) return;

  let current = 0;
  let caret = 0;
  let anchor = null; // first word of a selection made with Shift
  let playing = null; // the row whose clip is loaded

  const words = (row) => Array.from(row.querySelectorAll(".w"));
  const start = rows.findIndex((row) => row.dataset.id === document.getElementById("transcript").dataset.at);
  select(start >= 0 ? start : 0, 0);

  function select(index, wordIndex) {
    current = Math.max(0, Math.min(rows.length - 1, index));
    const n = words(rows[current]).length;
    caret = Math.max(0, Math.min(n - 1, wordIndex));
    render();
    rows[current].scrollIntoView({ block: "nearest" });
  }

  function selection() {
    if (anchor === null) return null;
    return [Math.min(anchor, caret), Math.max(anchor, caret) + 1];
  }

  function render() {
    const range = selection();
    rows.forEach((row, i) => {
      row.classList.toggle("current", i === current);
      words(row).forEach((w, k) => {
        w.classList.toggle("caret", i === current && k === caret);
        w.classList.toggle("selected", i === current && range !== null && k >= range[0] && k < range[1]);
      });
    });
  }

  let sending = false; // one correction per page load: a second Enter never saves twice
  function submit(fields) {
    if (sending) return;
    sending = true;
    const row = rows[current];
    form.querySelectorAll("input[type=hidden]:not([name=csrf_token])").forEach((input) => { input.value = ""; });
    const values = Object.assign({ utterance_id: row.dataset.id, expected: row.dataset.version }, fields);
    Object.entries(values).forEach(([name, value]) => { document.getElementById("f-" + name).value = value; });
    form.submit();
  }

  // --- audio: one clip per utterance; the word being said is marked as it plays ---------------
  function togglePlay() {
    const row = rows[current];
    if (playing === row && !audio.paused) {
      audio.pause();
      return;
    }
    if (playing !== row) {
      audio.src = row.dataset.audio;
      playing = row;
    }
    audio.currentTime = 0;
    audio.play().catch(() => {});
  }
  audio.addEventListener("timeupdate", () => {
    if (!playing) return;
    const t = Number(playing.dataset.clipStart) + audio.currentTime;
    words(playing).forEach((w) => {
      w.classList.toggle("playing", Number(w.dataset.start) <= t && t < Number(w.dataset.end));
    });
  });
  audio.addEventListener("ended", () => { if (playing) words(playing).forEach((w) => w.classList.remove("playing")); });

  rows.forEach((row, i) => {
    words(row).forEach((w, k) => w.addEventListener("click", () => { anchor = null; select(i, k); }));
  });

  // --- panels: edit words, choose a speaker, rename a speaker ---------------------------------
  function open(panel, focus) {
    rows[current].after(panel);
    panel.hidden = false;
    focus.focus();
  }
  function closePanels() {
    [wordEditor, chooser, renameEditor, confirmPanel].forEach((panel) => { panel.hidden = true; });
    document.activeElement.blur();
  }

  // a correction that changes or removes text, or joins utterances, is shown and asked for first
  let onYes = null;
  function ask(message, action) {
    closePanels();
    confirmText.textContent = message;
    onYes = action;
    open(confirmPanel, confirmYes);
  }
  confirmYes.addEventListener("click", () => { if (onYes) onYes(); });
  confirmPanel.addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); if (onYes) onYes(); }
    else if (event.key === "Escape") { event.preventDefault(); onYes = null; closePanels(); }
  });

  editText.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      const before = words(rows[current]).map((w) => w.textContent).join(" ");
      const after = editText.value.trim().split(/\s+/).filter(Boolean).join(" ");
      if (after === before) { closePanels(); return; }
      const text = editText.value;
      ask(after ? `Save the words: “${before}” → “${after}”?` : `Remove this utterance (“${before}”)?`,
        () => submit({ kind: "edit_words", text }));
    } else if (event.key === "Escape") { event.preventDefault(); closePanels(); }
  });

  function reassign(speaker, isNew) {
    const range = selection();
    const fields = { kind: "reassign", speaker_label: isNew ? "__new__" : speaker, new_speaker: isNew ? speaker : "" };
    if (range) Object.assign(fields, { from_word: range[0], to_word: range[1] });
    submit(fields);
  }
  const choices = Array.from(chooser.querySelectorAll(".choose-speaker"));
  choices.forEach((button) => button.addEventListener("click", () => reassign(button.dataset.speaker, false)));
  chooser.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { event.preventDefault(); closePanels(); return; }
    if (event.target === newSpeaker) {
      if (event.key === "Enter" && newSpeaker.value.trim()) { event.preventDefault(); reassign(newSpeaker.value.trim(), true); }
      return;
    }
    if (event.key === "n") { event.preventDefault(); newSpeaker.focus(); return; }
    const digit = /^(?:Digit|Numpad)([1-9])$/.exec(event.code);
    if (digit && choices[Number(digit[1]) - 1]) {
      event.preventDefault();
      reassign(choices[Number(digit[1]) - 1].dataset.speaker, false);
    }
  });

  renameText.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && renameText.value.trim()) {
      event.preventDefault();
      submit({ kind: "rename_speaker", speaker_label: rows[current].dataset.speaker, new_label: renameText.value.trim(), expected: "" });
    } else if (event.key === "Escape") { event.preventDefault(); closePanels(); }
  });

  // --- keys ---------------------------------------------------------------------------------
  document.addEventListener("keydown", (event) => {
    if (event.target.closest && event.target.closest("input, textarea, select, .panel")) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const n = words(rows[current]).length;
    switch (event.key) {
      case "j":
      case "ArrowDown":
        anchor = null; select(current + 1, 0); break;
      case "k":
      case "ArrowUp":
        anchor = null; select(current - 1, 0); break;
      case "l":
      case "L":
      case "ArrowRight":
        if (event.shiftKey && anchor === null) anchor = caret;
        if (!event.shiftKey) anchor = null;
        caret = Math.min(n - 1, caret + 1); render(); break;
      case "h":
      case "H":
      case "ArrowLeft":
        if (event.shiftKey && anchor === null) anchor = caret;
        if (!event.shiftKey) anchor = null;
        caret = Math.max(0, caret - 1); render(); break;
      case " ":
        togglePlay(); break;
      case "Enter":
        editText.value = words(rows[current]).map((w) => w.textContent).join(" ");
        open(wordEditor, editText); break;
      case "s":
        submit({ kind: "split", at_word: caret }); break;
      case "m": {
        const next = rows[current + 1];
        if (!next) return;
        const who = (row) => row.querySelector(".who").textContent.trim();
        ask(`Merge this utterance with the next one (${who(next)}), as ${who(rows[current])}'s?`, () =>
          submit({ kind: "merge", next_utterance_id: next.dataset.id, expected_next: next.dataset.version }));
        break;
      }
      case "u": {
        const target = document.getElementById("transcript").dataset.undo;
        if (!target) return;
        const line = document.getElementById("revision-" + target);
        const what = line ? line.children[3].textContent.trim() : "";
        ask(`Undo correction #${target} (${what})? It stays in the history, with its undo after it.`, () =>
          submit({ kind: "revert", revision_id: target, expected: "" }));
        break;
      }
      case "r":
        chooserWhat.textContent = selection() ? "the selected words" : "the utterance";
        newSpeaker.value = "";
        open(chooser, choices[0] || newSpeaker); break;
      case "R":
        renameWhat.textContent = rows[current].dataset.speaker;
        renameText.value = "";
        open(renameEditor, renameText); break;
      case "Escape":
        anchor = null; render(); break;
      default:
        return;
    }
    event.preventDefault();
  });
})();
