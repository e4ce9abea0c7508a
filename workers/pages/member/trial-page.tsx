import { type PageRequest, pageContext } from "../context";
import type { FormProblem } from "../forms";
import type { Texts } from "../i18n";
import { Layout } from "../layout";
import type { Product } from "../wire";
import { AfterWin, type Refused } from "./after-win";
import { ApplyPanel } from "./apply-panel";
import { liveTexts } from "./live-texts";
import { MyResult } from "./my-result";
import { loadTrialView } from "./trial-data";
import { TrialPlaces, TrialStatus } from "./trial-places";

/** A form on the trial page that the API refused, shown again on the page with its reason. */
export type TrialPageRefusal =
  | { form: "apply"; problem: FormProblem }
  | { form: "confirm" | "review"; problem: FormProblem; values: FormData };

/** GET /trials/:id: the trial, its product, its places live, and the member's own result. */
export async function trialPage(c: PageRequest) {
  return renderTrialPage(c, null);
}

/**
 * Renders the trial page as the viewer sees it now; a refused form comes back with its
 * problem (and the API's status), the fields as they were typed.
 */
export async function renderTrialPage(c: PageRequest, refusal: TrialPageRefusal | null) {
  const ctx = pageContext(c);
  const t = ctx.t;
  const loaded = await loadTrialView(c.var.api, c.req.param("id") ?? "", ctx.viewer);
  if (loaded.kind !== "found") {
    const notFound = loaded.kind === "not-found";
    return c.html(
      <Layout ctx={ctx} title={notFound ? t.common.notFoundTitle : t.common.errorTitle}>
        <h1>{notFound ? t.common.notFoundTitle : t.common.errorTitle}</h1>
        <p>{notFound ? t.member.trialNotFound : t.common.errorBody}</p>
        <p>
          <a href="/">{t.common.navTrials}</a>
        </p>
      </Layout>,
      notFound ? 404 : 503,
    );
  }
  const { trial, product, mine, myReview } = loaded.view;
  const isMember = ctx.viewer?.role === "MEMBER";
  const refused = (form: "confirm" | "review"): Refused =>
    refusal?.form === form ? { problem: refusal.problem, form: refusal.values } : null;
  const status = refusal ? statusOf(refusal.problem) : 200;
  return c.html(
    <Layout ctx={ctx} title={trial.title} page="trial">
      <article
        class="trial-page"
        data-trial-id={trial.id}
        data-opens-at={trial.opensAt}
        data-closes-at={trial.closesAt}
        data-status={trial.status}
        data-member={isMember ? "true" : "false"}
        data-application-status={mine?.application.status ?? ""}
        data-texts={liveTexts(t)}
      >
        <h1>{trial.title}</h1>
        <TrialStatus t={t} trial={trial} />
        <p class="lead">{trial.description}</p>
        {product && <ProductPart t={t} product={product} />}
        <TrialPlaces t={t} trial={trial} />
        <ApplyPanel
          t={t}
          viewer={ctx.viewer}
          trial={trial}
          mine={mine}
          problem={refusal?.form === "apply" ? refusal.problem : null}
        />
        {isMember && (
          <>
            <MyResult
              t={t}
              application={mine?.application ?? null}
              receipt={mine?.receipt ?? null}
            />
            <AfterWin
              t={t}
              trial={trial}
              mine={mine}
              myReview={myReview}
              confirm={refused("confirm")}
              review={refused("review")}
            />
          </>
        )}
      </article>
    </Layout>,
    status,
  );
}

function ProductPart(props: { t: Texts; product: Product }) {
  const t = props.t.member;
  const { product } = props;
  return (
    <section aria-labelledby="product-heading" class="product-part">
      <h2 id="product-heading">{t.productHeading}</h2>
      <p class="product-title">{product.name}</p>
      {product.images.length > 0 && (
        <ul class="product-images">
          {product.images.map((image) => (
            <li>
              <img src={image.url} alt={t.productImage(product.name)} width={320} height={240} />
            </li>
          ))}
        </ul>
      )}
      {product.description && <p>{product.description}</p>}
    </section>
  );
}

/** A refusal keeps the API's 4xx status; anything else reads as "try again later". */
function statusOf(problem: FormProblem) {
  return (problem.status >= 400 && problem.status < 500 ? problem.status : 503) as 400;
}
