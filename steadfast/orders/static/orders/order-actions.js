// Order page in the admin: select the payment link on click (no inline handlers: CSP). Cancel and refund are
// confirmed on a page of their own (the server asks), so they are confirmed with or without JavaScript.
document.addEventListener("click", function (event) {
  var field = event.target.closest("[data-select-on-click]");
  if (field) field.select();
});
