// Queue page: Enter (outside the filter form) starts rating at the top of the queue.
"use strict";
document.addEventListener("keydown", (event) => {
  if (event.key !== "Enter" || event.target.closest("form")) return;
  event.preventDefault();
  window.location.assign(document.getElementById("start").href);
});
