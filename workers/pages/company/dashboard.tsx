import { type PageRequest, pageContext } from "../context";
import { formatInstant, type Texts } from "../i18n";
import { Layout } from "../layout";
import type { Page, Product, Trial } from "../wire";
import { StatusBadge } from "./trial-status";

/** GET /company: the company's own products and trials, and what can be done with each. */
export async function dashboardPage(c: PageRequest) {
  const ctx = pageContext(c);
  const t = ctx.t.company;
  const own = encodeURIComponent(c.var.viewer?.id ?? "");
  const [products, trials] = await Promise.all([
    c.var.api.json<Page<Product>>("GET", `/products?companyId=${own}&limit=100`),
    c.var.api.json<Page<Trial>>("GET", `/trials?companyId=${own}&limit=100`),
  ]);
  const productList = products.status === 200 ? products.body.items : [];
  const trialList = trials.status === 200 ? trials.body.items : [];
  const names = new Map(productList.map((p) => [p.id, p.name]));
  return c.html(
    <Layout ctx={ctx} title={t.dashboardTitle}>
      <h1>{t.dashboardTitle}</h1>
      <section aria-labelledby="own-products">
        <div class="section-head">
          <h2 id="own-products">{t.productsHeading}</h2>
          <a class="button" href="/company/products/new">
            {t.newProduct}
          </a>
        </div>
        {productList.length === 0 ? (
          <p class="empty">{t.noProducts}</p>
        ) : (
          <ul class="company-products">
            {productList.map((p) => (
              <ProductItem t={t} product={p} />
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="own-trials">
        <h2 id="own-trials">{t.trialsHeading}</h2>
        {trialList.length === 0 ? (
          <p class="empty">{t.noTrials}</p>
        ) : (
          <ul class="company-trials">
            {trialList.map((trial) => (
              <TrialItem
                t={t}
                locale={ctx.t.locale}
                trial={trial}
                productName={names.get(trial.productId)}
              />
            ))}
          </ul>
        )}
      </section>
    </Layout>,
  );
}

function ProductItem(props: { t: Texts["company"]; product: Product }) {
  const { t, product } = props;
  const image = product.images[0];
  return (
    <li class="company-product">
      {image ? (
        <img src={image.url} alt="" width={96} height={96} loading="lazy" />
      ) : (
        <div class="thumb-placeholder" aria-hidden="true" />
      )}
      <div>
        <h3>{product.name}</h3>
        {product.category && <p class="product-name">{product.category}</p>}
        <a href={`/company/trials/new?productId=${product.id}`}>{t.newTrialFor(product.name)}</a>
      </div>
    </li>
  );
}

function TrialItem(props: {
  t: Texts["company"];
  locale: Texts["locale"];
  trial: Trial;
  productName: string | undefined;
}) {
  const { t, trial } = props;
  const editable = trial.status === "SCHEDULED";
  const cancellable = trial.status === "SCHEDULED" || trial.status === "OPEN";
  return (
    <li class="company-trial">
      <h3>
        <a href={`/company/trials/${trial.id}`}>{trial.title}</a>
      </h3>
      <p>
        <StatusBadge t={t} trial={trial} /> {props.productName && <span>{props.productName}</span>}
      </p>
      <p>
        {t.opensAt}:{" "}
        <time datetime={trial.opensAt}>{formatInstant(props.locale, trial.opensAt)}</time>
        <br />
        {t.closesAt}:{" "}
        <time datetime={trial.closesAt}>{formatInstant(props.locale, trial.closesAt)}</time>
      </p>
      <p>{t.fillSummary(trial.won, trial.slots, trial.waitlisted, trial.waitlistSize)}</p>
      <ul class="action-links">
        <li>
          <a href={`/company/trials/${trial.id}`} aria-label={t.consoleOf(trial.title)}>
            {t.console}
          </a>
        </li>
        <li>
          <a href={`/company/trials/${trial.id}/stats`} aria-label={t.statsOf(trial.title)}>
            {t.stats}
          </a>
        </li>
        {editable && (
          <li>
            <a href={`/company/trials/${trial.id}/edit`} aria-label={t.editOf(trial.title)}>
              {t.edit}
            </a>
          </li>
        )}
        {cancellable && (
          <li>
            <a href={`/company/trials/${trial.id}/cancel`} aria-label={t.cancelOf(trial.title)}>
              {t.cancelTrial}
            </a>
          </li>
        )}
      </ul>
    </li>
  );
}
