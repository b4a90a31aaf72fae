// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Loaded in <head> without defer so this class is set before first paint (no flash of no-JS buttons).
  document.documentElement.classList.add("js");
  document.addEventListener("DOMContentLoaded", enhance);

  function enhance() {
    // A second click while the first request is on its way would only be answered with the same order; avoid the
    // wait (checkout review: the place-order button).
    document.querySelectorAll("form [data-once]").forEach(function (button) {
      button.form.addEventListener("submit", function () {
        window.setTimeout(function () { button.disabled = true; }, 0);
      });
    });

    // Submit small forms (language, sort) as soon as the choice changes; their buttons are hidden by .js CSS.
    document.querySelectorAll("[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () {
        var form = select.form;
        if (form) form.requestSubmit ? form.requestSubmit() : form.submit();
      });
    });

    // Category page: on a narrow screen fold the filters away unless the shopper is using one.
    var narrow = window.matchMedia("(max-width: 900px)");
    document.querySelectorAll("details[data-collapse-narrow]").forEach(function (box) {
      var inUse = /[?&](min_price|max_price|in_stock)=[^&]/.test(window.location.search);
      var hasErrors = box.querySelector(".errorlist");
      if (narrow.matches && !inUse && !hasErrors) box.open = false;
      // On a wide screen the filters always stay open beside the products.
      box.querySelector("summary").addEventListener("click", function (event) {
        if (!narrow.matches) event.preventDefault();
      });
    });

    // Product page: show the price and stock of the chosen variant next to the title.
    var buy = document.querySelector("[data-buy-form]");
    if (buy) {
      var price = document.querySelector("[data-price-display]");
      var stock = document.querySelector("[data-stock-display]");
      var quantity = buy.querySelector("input[name=quantity]");
      var update = function () {
        var chosen = buy.querySelector("input[name=variant]:checked");
        if (!chosen) return;
        if (price && chosen.dataset.price) price.textContent = chosen.dataset.price;
        if (stock && chosen.dataset.stockLabel) {
          stock.textContent = chosen.dataset.stockLabel;
          stock.className = "stock-" + chosen.dataset.stockState;
        }
        if (quantity && chosen.dataset.max) quantity.max = chosen.dataset.max;
        // The picture follows the chosen variant (the blue shirt when blue is picked).
        var photo = document.querySelector("[data-gallery-main]");
        if (photo && chosen.dataset.image) {
          photo.src = chosen.dataset.image;
          photo.alt = chosen.dataset.imageAlt || "";
          document.querySelectorAll("[data-gallery-thumb]").forEach(function (thumb) {
            thumb.setAttribute("aria-current", thumb.getAttribute("href") === chosen.dataset.image ? "true" : "false");
          });
        }
      };
      buy.addEventListener("change", update);
      update();
    }

    // Gallery: a thumbnail swaps the large image instead of opening the file.
    var main = document.querySelector("[data-gallery-main]");
    document.querySelectorAll("[data-gallery-thumb]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        if (!main) return;
        event.preventDefault();
        main.src = link.href;
        main.alt = link.dataset.alt || "";
        document.querySelectorAll("[data-gallery-thumb]").forEach(function (other) {
          other.setAttribute("aria-current", other === link ? "true" : "false");
        });
      });
    });
  }
})();
