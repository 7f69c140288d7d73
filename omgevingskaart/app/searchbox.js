// The search box with autocomplete: a Streamlit components.v2 module (runs in the app page).
// An ARIA 1.2 combobox: a labelled text input, a "Zoeken" button and a listbox of suggestions.
// Typing sends the text (debounced) as the state value "typed"; Python answers with
// data.suggestions for data.forText. Enter, the button or a chosen suggestion sends the trigger
// "submit". Arrow keys move through the list, Escape closes it. Python's `data`:
// {id, label, placeholder, value, valueSeq, forText, suggestions: [text], button}.
export default function (component) {
  const {data, setStateValue, setTriggerValue, parentElement} = component;
  let root = parentElement.querySelector('.okz-root');
  if (!root) {
    root = document.createElement('div');
    root.className = 'okz-root';
    root.innerHTML =
      '<label class="okz-label"></label>' +
      '<div class="okz-row"><input class="okz-input" type="text" role="combobox" ' +
      'autocomplete="off" autocapitalize="off" spellcheck="false" aria-autocomplete="list" ' +
      'aria-expanded="false"><button class="okz-button" type="button"></button></div>' +
      '<ul class="okz-list" role="listbox" hidden></ul>';
    parentElement.appendChild(root);
    root.__okz = {timer: null, active: -1, items: [], valueSeq: null};
  }
  const st = root.__okz;
  const label = root.querySelector('.okz-label');
  const input = root.querySelector('.okz-input');
  const button = root.querySelector('.okz-button');
  const list = root.querySelector('.okz-list');
  input.id = data.id;
  list.id = data.id + '-lijst';
  label.htmlFor = data.id;
  label.textContent = data.label;
  input.placeholder = data.placeholder;
  input.setAttribute('aria-controls', list.id);
  button.textContent = data.button;
  if (st.valueSeq !== data.valueSeq) {  // Python set the text (a chosen candidate, a link)
    st.valueSeq = data.valueSeq;
    input.value = data.value || '';
  }

  const close = () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    st.active = -1;
  };
  const submit = text => {
    clearTimeout(st.timer);
    close();
    input.value = text;
    setTriggerValue('submit', text);
  };
  const mark = i => {
    st.active = i;
    list.querySelectorAll('li').forEach((li, j) => li.setAttribute('aria-selected', String(j === i)));
    if (i >= 0) input.setAttribute('aria-activedescendant', list.id + '-' + i);
    else input.removeAttribute('aria-activedescendant');
  };
  const render = items => {
    st.items = items;
    list.innerHTML = '';
    items.forEach((text, i) => {
      const li = document.createElement('li');
      li.id = list.id + '-' + i;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      li.textContent = text;
      li.addEventListener('mousedown', ev => { ev.preventDefault(); submit(text); });
      list.appendChild(li);
    });
    const open = items.length > 0 && document.activeElement === input;
    list.hidden = !open;
    input.setAttribute('aria-expanded', String(open));
    st.active = -1;
  };

  if (!root.__okzWired) {
    root.__okzWired = true;
    input.addEventListener('input', () => {
      clearTimeout(st.timer);
      const text = input.value;
      if (text.trim().length < 2) { render([]); return; }
      st.timer = setTimeout(() => setStateValue('typed', text), 180);
    });
    input.addEventListener('keydown', ev => {
      const n = st.items.length;
      if (ev.key === 'ArrowDown' && n) { ev.preventDefault(); list.hidden = false;
        input.setAttribute('aria-expanded', 'true'); mark((st.active + 1) % n); }
      else if (ev.key === 'ArrowUp' && n) { ev.preventDefault(); mark((st.active - 1 + n) % n); }
      else if (ev.key === 'Escape') { close(); }
      else if (ev.key === 'Enter') {
        ev.preventDefault();
        submit(st.active >= 0 && !list.hidden ? st.items[st.active] : input.value);
      }
    });
    input.addEventListener('blur', () => setTimeout(close, 150));
    button.addEventListener('click', () => submit(input.value));
  }
  // suggestions are for the text they were computed for: never show a stale list
  if (data.forText && data.forText === input.value) render(data.suggestions || []);
  else if (!input.value) render([]);
}
