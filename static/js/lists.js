/* Progressive enhancement of the filterable lists; everything works without it.
   htmx (loaded before) refreshes the results and pushes the address; this file
   - applies a search when it is submitted (Enter, the button), not when the box loses
     the focus: a change there would send a request while the person goes on typing,
   - applies a drop-down list changed with the keyboard when the person leaves it or
     presses Enter, not at each arrow key: browsers change the value, and announce new
     results, for every option passed (WCAG 3.2.2); a choice made with the pointer
     applies at once,
   - leaves empty parameters out of the addresses it pushes (?q=&incubator=…),
   - moves the focus to the results' heading after a change of page, since the
     link that was followed is gone.
   htmx runs this file again when it restores a page from its history: it sets up once. */
if (!window.listsEnhanced) {
  window.listsEnhanced = true;

  document.addEventListener(
    "change",
    (event) => {
      if (event.target.matches("form.filters input[type=search]")) {
        event.stopPropagation();
      }
    },
    true,
  );

  let keyedSelect = null;
  let keyedChange = false;

  function applyKeyedChange() {
    const select = keyedSelect;
    const changed = keyedChange;
    keyedSelect = null;
    keyedChange = false;
    if (select && changed) {
      select.form.requestSubmit();
    }
  }

  document.addEventListener(
    "keydown",
    (event) => {
      if (!event.target.matches("form.filters select")) {
        return;
      }
      if (event.key === "Enter") {
        event.preventDefault();
        applyKeyedChange();
      } else if (event.key !== "Tab") {
        keyedSelect = event.target;
      }
    },
    true,
  );

  document.addEventListener(
    "change",
    (event) => {
      if (event.target === keyedSelect) {
        event.stopPropagation();
        keyedChange = true;
      }
    },
    true,
  );

  document.addEventListener("pointerdown", (event) => {
    if (event.target === keyedSelect) {
      applyKeyedChange();
    }
  });

  document.addEventListener("focusout", (event) => {
    if (event.target === keyedSelect) {
      applyKeyedChange();
    }
  });

  document.addEventListener("htmx:configRequest", (event) => {
    const params = event.detail.parameters;
    for (const name of new Set(params.keys())) {
      if (params.getAll(name).every((value) => value === "")) {
        params.delete(name);
      }
    }
  });

  document.addEventListener("htmx:afterSettle", (event) => {
    const trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (trigger && trigger.closest && trigger.closest(".list-pagination")) {
      const heading = document.getElementById("resultats-titre");
      if (heading) {
        heading.focus();
      }
    }
  });
}
