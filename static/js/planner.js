/* Small enhancements of server-rendered pages; every page works without them. */
(function () {
  "use strict";

  function byHash() {
    if (!location.hash) return null;
    try {
      return document.getElementById(decodeURIComponent(location.hash.slice(1)));
    } catch (e) {
      return null;
    }
  }

  /* After a save the server sends the browser back to the edited item (#its-id) with a message:
     open what holds the item, show the message right after it and move focus to the message,
     so it is seen, announced, and the next Tab continues from where the user was. */
  function placeMessages() {
    var target = byHash();
    if (target) {
      for (var d = target.closest("details"); d; d = d.parentElement && d.parentElement.closest("details")) {
        d.open = true;
      }
    }
    var box = document.getElementById("messages");
    if (!box) return;
    if (target && target.closest("main")) {
      var after = target.closest("form") || target;
      var holder = after.matches("li, td, th") ? after : after.tagName === "TR" ? after.lastElementChild : null;
      if (holder) holder.appendChild(box); else after.insertAdjacentElement("afterend", box);
      box.classList.add("moved");
    }
    var first = box.querySelector("[role=alert]") || box.querySelector("[role=status]");
    if (first) {
      first.focus();
      first.scrollIntoView({ block: "center" });
    }
  }

  /* A wide chart scrolls sideways: start with today in view. */
  function scrollCharts() {
    document.querySelectorAll(".chart-scroll[data-scroll-to]").forEach(function (el) {
      var x = parseFloat(el.getAttribute("data-scroll-to"));
      if (!isNaN(x) && el.scrollWidth > el.clientWidth) {
        el.scrollLeft = Math.max(0, x - el.clientWidth / 2);
      }
    });
  }

  /* After the browser has scrolled to (and maybe focused) the fragment's target. */
  function ready() {
    scrollCharts();
    setTimeout(placeMessages, 0);
  }

  if (document.readyState === "complete") ready();
  else window.addEventListener("load", ready);
})();
