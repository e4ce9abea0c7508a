import { type PageRequest, pageContext } from "../context";
import { formatInstant } from "../i18n";
import { Layout } from "../layout";
import { type TrialWithProduct, trialsWithProducts } from "./catalog";

/** GET /: the trials open now and those opening soon, with their products' pictures. */
export async function trialsListPage(c: PageRequest) {
  const ctx = pageContext(c);
  const t = ctx.t.member;
  const [open, soon] = await Promise.all([
    trialsWithProducts(c.var.api, "status=OPEN&limit=50"),
    trialsWithProducts(c.var.api, "status=SCHEDULED&limit=50"),
  ]);
  soon.sort((a, b) => a.trial.opensAt.localeCompare(b.trial.opensAt));
  return c.html(
    <Layout ctx={ctx} title={t.trialsTitle} page="trials-list">
      <h1>{t.trialsTitle}</h1>
      <section aria-labelledby="open-now">
        <h2 id="open-now">{t.openNow}</h2>
        <TrialCards c={c} entries={open} empty={t.noneOpen} />
      </section>
      <section aria-labelledby="opening-soon">
        <h2 id="opening-soon">{t.openingSoon}</h2>
        <TrialCards c={c} entries={soon} empty={t.noneSoon} />
      </section>
    </Layout>,
  );
}

function TrialCards(props: { c: PageRequest; entries: TrialWithProduct[]; empty: string }) {
  const { t, locale } = { t: props.c.var.texts.member, locale: props.c.var.texts.locale };
  if (props.entries.length === 0) return <p class="empty">{props.empty}</p>;
  return (
    <ul class="cards">
      {props.entries.map(({ trial, product }) => {
        const image = product?.images[0];
        return (
          <li class="card">
            {image ? (
              <img
                src={image.url}
                alt={product?.name ?? ""}
                width={320}
                height={200}
                loading="lazy"
              />
            ) : (
              <div class="card-placeholder" aria-hidden="true" />
            )}
            <div class="card-body">
              <h3>
                <a href={`/trials/${trial.id}`}>{trial.title}</a>
              </h3>
              {product && <p class="product-name">{product.name}</p>}
              <p class="places">{t.placesLeft(trial.remaining, trial.slots)}</p>
              <p>
                {trial.status === "SCHEDULED" ? t.opensAt : t.closesAt}{" "}
                <time
                  datetime={trial.status === "SCHEDULED" ? trial.opensAt : trial.closesAt}
                  data-countdown=""
                >
                  {formatInstant(
                    locale,
                    trial.status === "SCHEDULED" ? trial.opensAt : trial.closesAt,
                  )}
                </time>
              </p>
            </div>
          </li>
        );
      })}
    </ul>
  );
}
