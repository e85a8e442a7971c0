// The compare tray names the interventions chosen so far. Without scripts the tray still holds the button that
// compares them; this only adds their names as the visitor ticks and unticks them.
(function () {
  "use strict";
  var tray = document.querySelector(".compare-tray");
  if (!tray) return;
  var hint = tray.querySelector(".hint");
  var list = tray.querySelector(".chosen");
  var boxes = document.querySelectorAll(".compare-pick input[type=checkbox]");

  function update() {
    list.textContent = "";
    var chosen = 0;
    boxes.forEach(function (box) {
      if (!box.checked) return;
      chosen += 1;
      var item = document.createElement("li");
      item.textContent = box.closest("article").querySelector("h2").textContent.trim();
      list.appendChild(item);
    });
    hint.textContent = chosen ? hint.dataset.chosen : hint.dataset.none;
  }

  boxes.forEach(function (box) { box.addEventListener("change", update); });
  update();
})();
