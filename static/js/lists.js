/* Progressive enhancement of the filterable lists; everything works without it.
   htmx (loaded before) refreshes the results and pushes the address; this file
   - applies a search when it is submitted (Enter, the button), not when the box loses
     the focus: a change there would send a request while the person goes on typing,
   - leaves empty parameters out of the addresses it pushes (?q=&incubator=…),
   - moves the focus to the results' heading after a change of page, since the
     link that was followed is gone. */
document.addEventListener(
  "change",
  (event) => {
    if (event.target.matches("form.filters input[type=search]")) {
      event.stopPropagation();
    }
  },
  true,
);

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
