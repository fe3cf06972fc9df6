// The import page's upload: a plain multipart POST with the antiforgery header, sent with XMLHttpRequest because
// fetch() reports no upload progress. Each file goes under its path inside the chosen folder, as a form would send it.

function describe(root) {
  let files = 0, bytes = 0, folder = null;
  const names = [];
  for (const input of root.querySelectorAll('input[type=file]')) {
    for (const file of input.files) {
      files++;
      bytes += file.size;
      const path = file.webkitRelativePath || file.name;
      if (file.webkitRelativePath && folder === null) {
        folder = path.split('/')[0];
      }
      if (names.length < 3) {
        names.push(path);
      }
    }
  }
  return { files, bytes, folder, names };
}

export function watch(root, page) {
  const changed = () => page.invokeMethodAsync('Chosen', describe(root));
  root._importChanged = changed;
  for (const input of root.querySelectorAll('input[type=file]')) {
    input.addEventListener('change', changed);
  }
  // Files chosen before the page came alive.
  if (describe(root).files > 0) {
    changed();
  }
}

export function unwatch(root) {
  for (const input of root.querySelectorAll('input[type=file]')) {
    input.removeEventListener('change', root._importChanged);
  }
}

export function clear(root) {
  for (const input of root.querySelectorAll('input[type=file]')) {
    input.value = '';
  }
  return describe(root);
}

export function upload(root, url, token, page, workspace) {
  const form = new FormData();
  // The workspace goes first, so the server checks it before it saves any file.
  form.append('workspace', workspace);
  for (const input of root.querySelectorAll('input[type=file]')) {
    for (const file of input.files) {
      form.append(input.name, file, file.webkitRelativePath || file.name);
    }
  }

  return new Promise(resolve => {
    const request = new XMLHttpRequest();
    request.open('POST', url);
    request.setRequestHeader('RequestVerificationToken', token);
    request.setRequestHeader('Accept', 'application/json');
    let last = 0;
    request.upload.onprogress = event => {
      const now = performance.now();
      if (now - last > 150) {
        last = now;
        page.invokeMethodAsync('Sent', event.loaded, event.total);
      }
    };
    request.upload.onload = () => page.invokeMethodAsync('Delivered');
    request.onload = () => resolve({ status: request.status, body: request.responseText });
    request.onerror = () => resolve({ status: 0, body: '' });
    request.onabort = () => resolve({ status: 0, body: '' });
    request.send(form);
  });
}
