/**
 * The product form: the chosen picture is shown before it is sent (a `blob:` URL, which the
 * pages' CSP admits for this), so a wrong file is seen before the upload.
 */
export function showImagePreview(): void {
  const input = document.querySelector<HTMLInputElement>('input[type="file"][name="image"]');
  const preview = document.getElementById("image-preview") as HTMLImageElement | null;
  if (!input || !preview) return;
  let url: string | null = null;
  input.addEventListener("change", () => {
    if (url) URL.revokeObjectURL(url);
    const file = input.files?.[0];
    url = file ? URL.createObjectURL(file) : null;
    preview.hidden = !url;
    if (url) preview.src = url;
    else preview.removeAttribute("src");
  });
}
