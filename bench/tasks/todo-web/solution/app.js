const form = document.querySelector("#new-todo-form");
const input = document.querySelector("#new-todo");
const list = document.querySelector("#todo-list");
const count = document.querySelector("#count");
const filters = { all: () => true, active: (li) => !isDone(li), done: isDone };
let filter = "all";

function isDone(item) {
  return item.classList.contains("done");
}

function refresh() {
  const items = [...list.querySelectorAll("li.todo")];
  const left = items.filter((item) => !isDone(item)).length;
  count.textContent = `${left} ${left === 1 ? "item" : "items"} left`;
  for (const item of items) {
    item.hidden = !filters[filter](item);
  }
  for (const name of Object.keys(filters)) {
    document.querySelector(`#filter-${name}`).classList.toggle("selected", name === filter);
  }
}

function addItem(text) {
  const item = document.createElement("li");
  item.className = "todo";
  const toggle = document.createElement("input");
  toggle.type = "checkbox";
  toggle.className = "toggle";
  toggle.addEventListener("change", () => {
    item.classList.toggle("done", toggle.checked);
    refresh();
  });
  const label = document.createElement("span");
  label.className = "text";
  label.textContent = text;
  const remove = document.createElement("button");
  remove.type = "button";
  remove.className = "delete";
  remove.textContent = "Delete";
  remove.addEventListener("click", () => {
    item.remove();
    refresh();
  });
  item.append(toggle, label, remove);
  list.append(item);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) {
    return;
  }
  addItem(text);
  input.value = "";
  refresh();
});

for (const name of Object.keys(filters)) {
  document.querySelector(`#filter-${name}`).addEventListener("click", () => {
    filter = name;
    refresh();
  });
}

document.querySelector("#clear-done").addEventListener("click", () => {
  list.querySelectorAll("li.todo.done").forEach((item) => item.remove());
  refresh();
});

refresh();
