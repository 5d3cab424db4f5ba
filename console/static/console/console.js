// Every console page: the language menu applies a choice at once (its button stays for browsers without scripts).
(function () {
  "use strict";
  var menu = document.getElementById("console-language-select");
  if (!menu) { return; }
  var button = document.getElementById("console-language-apply");
  if (button) { button.hidden = true; }
  menu.addEventListener("change", function () { menu.form.submit(); });
}());
