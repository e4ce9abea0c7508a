import { type PageRequest, pageContext } from "../context";
import { Field, TextArea } from "../form-fields";
import { FormError, type FormProblem, fieldText, problemOf } from "../forms";
import { Layout } from "../layout";
import type { Product } from "../wire";
import { refusalStatus } from "./refusal";

/**
 * GET/POST /company/products/new: a product with one picture. The form is multipart and
 * posts here; the page uploads the picture's bytes (POST /v1/images, which checks the type
 * and size), then creates the product with it. Either refusal is shown on the form.
 */

const IMAGE_TYPES = "image/png,image/jpeg,image/webp,image/gif";

function ProductForm(props: { c: PageRequest; problem: FormProblem | null; form?: FormData }) {
  const ctx = pageContext(props.c);
  const t = ctx.t.company;
  const value = (name: string) => (props.form ? fieldText(props.form, name) : undefined);
  return (
    <Layout ctx={ctx} title={t.newProductTitle} page="product-form">
      <h1>{t.newProductTitle}</h1>
      <form
        method="post"
        action="/company/products/new"
        enctype="multipart/form-data"
        class="stack"
      >
        <FormError problem={props.problem} />
        <Field
          name="name"
          label={t.productName}
          value={value("name")}
          required
          problem={props.problem}
        />
        <TextArea
          name="description"
          label={t.productDescription}
          value={value("description")}
          problem={props.problem}
        />
        <Field
          name="category"
          label={t.productCategory}
          hint={t.productCategoryHint}
          value={value("category")}
          problem={props.problem}
        />
        <Field
          name="image"
          type="file"
          label={t.productImage}
          hint={t.productImageHint}
          accept={IMAGE_TYPES}
          problem={props.problem}
        />
        <img class="image-preview" id="image-preview" alt={t.imagePreview} hidden />
        <button type="submit">{t.createProduct}</button>
      </form>
      <p>
        <a href="/company">{t.backToDashboard}</a>
      </p>
    </Layout>
  );
}

/** The chosen file's bytes as a picture of the API's; null when none was chosen. */
async function uploadImage(
  c: PageRequest,
  file: ReturnType<FormData["get"]>,
): Promise<{ id: string } | { problem: FormProblem } | null> {
  if (!(file instanceof File) || file.size === 0) return null;
  const res = await c.var.api.raw("POST", "/images", {
    body: await file.arrayBuffer(),
    headers: new Headers({ "content-type": file.type || "application/octet-stream" }),
  });
  const body = (await res.json().catch(() => null)) as { id?: string } | null;
  if (res.status === 201 && body?.id) return { id: body.id };
  const problem = problemOf({ status: res.status, body }, c.var.texts);
  // The upload's refusal is about the picture: show it beside the file input too.
  problem.fields.image ??= problem.message;
  return { problem };
}

export const newProductPage = (c: PageRequest) => c.html(<ProductForm c={c} problem={null} />);

export async function createProduct(c: PageRequest) {
  const form = await c.req.formData();
  const image = await uploadImage(c, form.get("image"));
  if (image && "problem" in image) {
    return c.html(
      <ProductForm c={c} problem={image.problem} form={form} />,
      refusalStatus(image.problem),
    );
  }
  const category = fieldText(form, "category").trim();
  const created = await c.var.api.json<Product>("POST", "/products", {
    name: fieldText(form, "name"),
    description: fieldText(form, "description"),
    ...(category && { category }),
    ...(image && { imageIds: [image.id] }),
  });
  if (created.status !== 201) {
    // The picture would belong to nothing: it goes, and the form asks for it again.
    if (image) await c.var.api.raw("DELETE", `/images/${image.id}`, {});
    const problem = problemOf(created, c.var.texts);
    return c.html(<ProductForm c={c} problem={problem} form={form} />, refusalStatus(problem));
  }
  return c.redirect(`/company/trials/new?productId=${created.body.id}`, 303);
}
