// Remembers the reader's theme for a year, so the next prerendered page is painted in it from the first byte.
export function remember(name, value) {
  document.cookie = `${name}=${value}; path=/; max-age=31536000; samesite=lax`;
}
