// Bootstrap's JavaScript built from its npm sources with only the components Linli's pages use
// (`make assets`): the navbar's collapse (the ☰ menu) and the modal (the case photo viewer).
// Each import registers its data-bs-* handlers; `bootstrap.Modal` stays reachable for page scripts.
import Collapse from "bootstrap/js/src/collapse.js";
import Modal from "bootstrap/js/src/modal.js";

window.bootstrap = Object.assign(window.bootstrap || {}, { Collapse, Modal });
