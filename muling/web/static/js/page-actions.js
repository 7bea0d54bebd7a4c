// Page actions for links and buttons, from an external file because the CSP allows no inline handlers
// or javascript: URLs: data-print opens the print dialog, data-back goes back to the previous page.
document.addEventListener("click", function (event) {
  var target = event.target.closest("[data-print], [data-back]");
  if (!target) return;
  event.preventDefault();
  if (target.hasAttribute("data-print")) window.print();
  else window.history.back();
});
