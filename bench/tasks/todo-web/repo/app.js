const form = document.querySelector("#new-todo-form");
const input = document.querySelector("#new-todo");
const list = document.querySelector("#todo-list");

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const item = document.createElement("li");
  item.textContent = input.value;
  list.append(item);
  input.value = "";
});
