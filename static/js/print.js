// "Print or save as PDF" on the summary page: the button is hidden until this script shows it,
// so without JavaScript there is no button that does nothing.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
});
