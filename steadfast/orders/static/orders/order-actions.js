// Order page in the admin: select or copy the payment link on click (no inline handlers: CSP). Cancel and refund are
// confirmed on a page of their own (the server asks), so they are confirmed with or without JavaScript.
document.addEventListener("click", function (event) {
  var field = event.target.closest("[data-select-on-click]");
  if (field) field.select();
  var copy = event.target.closest("[data-copy]");
  if (copy) copyLink(copy);
});

// "Copy link": the clipboard API where the page may use it (https, localhost), else the selection and copy command.
function copyLink(button) {
  var field = document.getElementById(button.dataset.copy);
  var done = function () {
    var label = button.textContent;
    button.textContent = button.dataset.copied;
    setTimeout(function () { button.textContent = label; }, 2000);
  };
  field.select();
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done, function () { if (document.execCommand("copy")) done(); });
  } else if (document.execCommand("copy")) {
    done();
  }
}
