// "Print or save as PDF" on the summary page: the button is hidden until this script shows it,
// so without JavaScript there is no button that does nothing.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
});

// Print every detail: open the closed disclosures before printing and close them again after. The print
// stylesheet does the same with ::details-content where the browser supports it; this covers the rest.
(function () {
  var opened = [];
  window.addEventListener("beforeprint", function () {
    opened = Array.prototype.filter.call(document.querySelectorAll("details.more:not([open])"), function (d) {
      d.open = true;
      return true;
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
})();
