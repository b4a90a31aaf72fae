// Order page in the admin: confirm irreversible actions, select the payment link on click (no inline handlers: CSP).
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
  var field = event.target.closest("[data-select-on-click]");
  if (field) field.select();
});
