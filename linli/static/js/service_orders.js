/* The order form: the kind of service is asked only while no service of the menu is chosen
 * (a chosen service implies its kind). */
(function () {
  "use strict";
  function init() {
    var offering = document.querySelector("#report-form [name=offering]");
    var kind = document.querySelector("[data-testid=kind-field]");
    if (!offering || !kind) return;
    function sync() { kind.hidden = Boolean(offering.value); }
    offering.addEventListener("change", sync);
    sync();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
