/**
 * Normal-distribution helpers for the Parzen estimators: erfc, log Phi, and the log of the
 * Gaussian mass of an interval, accurate in the tails (TPE compares densities far from the data).
 *
 * erfc follows FreeBSD msun s_erf.c:
 * Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
 * Developed at SunPro, a Sun Microsystems, Inc. business. Permission to use, copy, modify, and
 * distribute this software is freely granted, provided that this notice is preserved.
 * The interval-mass case split follows SciPy's truncnorm (BSD-3-Clause), as Optuna does.
 */

const erx = 8.45062911510467529297e-1;
const pp0 = 1.28379167095512558561e-1, pp1 = -3.25042107247001499370e-1, pp2 = -2.84817495755985104766e-2;
const pp3 = -5.77027029648944159157e-3, pp4 = -2.37630166566501626084e-5;
const qq1 = 3.97917223959155352819e-1, qq2 = 6.50222499887672944485e-2, qq3 = 5.08130628187576562776e-3;
const qq4 = 1.32494738004321644526e-4, qq5 = -3.96022827877536812320e-6;
const pa0 = -2.36211856075265944077e-3, pa1 = 4.14856118683748331666e-1, pa2 = -3.72207876035701323847e-1;
const pa3 = 3.18346619901161753674e-1, pa4 = -1.10894694282396677476e-1, pa5 = 3.54783043256182359371e-2;
const pa6 = -2.16637559486879084300e-3;
const qa1 = 1.06420880400844228286e-1, qa2 = 5.40397917702171048937e-1, qa3 = 7.18286544141962662868e-2;
const qa4 = 1.26171219808761642112e-1, qa5 = 1.36370839120290507362e-2, qa6 = 1.19844998467991074170e-2;
const ra0 = -9.86494403484714822705e-3, ra1 = -6.93858572707181764372e-1, ra2 = -1.05586262253232909814e1;
const ra3 = -6.23753324503260060396e1, ra4 = -1.62396669462573470355e2, ra5 = -1.84605092906711035994e2;
const ra6 = -8.12874355063065934246e1, ra7 = -9.81432934416914548592;
const sa1 = 1.96512716674392571292e1, sa2 = 1.37657754143519042600e2, sa3 = 4.34565877475229228821e2;
const sa4 = 6.45387271733267880336e2, sa5 = 4.29008140027567833386e2, sa6 = 1.08635005541779435134e2;
const sa7 = 6.57024977031928170135, sa8 = -6.04244152148580987438e-2;
const rb0 = -9.86494292470009928597e-3, rb1 = -7.99283237680523006574e-1, rb2 = -1.77579549177547519889e1;
const rb3 = -1.60636384855821916062e2, rb4 = -6.37566443368389627722e2, rb5 = -1.02509513161107724954e3;
const rb6 = -4.83519191608651397019e2;
const sb1 = 3.03380607434824582924e1, sb2 = 3.25792512996573918826e2, sb3 = 1.53672958608443695994e3;
const sb4 = 3.19985821950859553908e3, sb5 = 2.55305040643316442583e3, sb6 = 4.74528541206955367215e2;
const sb7 = -2.24409524465858183362e1;

const scalarIn = new Float64Array(1);
const scalarOut = new Float64Array(1);

/** Complementary error function with small relative error in the right tail. */
export function erfc(x: number): number {
  scalarIn[0] = x;
  erfcInto(scalarIn, scalarOut, 1);
  return scalarOut[0];
}

/**
 * erfc of xs[0..n) into out[0..n). One loop over typed arrays keeps every intermediate unboxed;
 * a function call per value would allocate its argument and result on the heap, and the garbage
 * collector's work would cost more than the arithmetic.
 */
export function erfcInto(xs: Float64Array, out: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const x = xs[i];
    if (Number.isNaN(x)) {
      out[i] = NaN;
      continue;
    }
    const ax = Math.abs(x);
    if (ax < 0.84375) {
      if (ax < 2 ** -56) {
        out[i] = 1 - x;
        continue;
      }
      const z = x * x;
      const r = pp0 + z * (pp1 + z * (pp2 + z * (pp3 + z * pp4)));
      const s = 1 + z * (qq1 + z * (qq2 + z * (qq3 + z * (qq4 + z * qq5))));
      const y = r / s;
      out[i] = x < 0.25 ? 1 - (x + x * y) : 0.5 - (x - 0.5 + x * y);
      continue;
    }
    if (ax < 1.25) {
      const s = ax - 1;
      const P = pa0 + s * (pa1 + s * (pa2 + s * (pa3 + s * (pa4 + s * (pa5 + s * pa6)))));
      const Q = 1 + s * (qa1 + s * (qa2 + s * (qa3 + s * (qa4 + s * (qa5 + s * qa6)))));
      out[i] = x >= 0 ? 1 - erx - P / Q : 1 + erx + P / Q;
      continue;
    }
    if (ax < 28) {
      const s = 1 / (ax * ax);
      let R: number;
      let S: number;
      if (ax < 1 / 0.35) {
        R = ra0 + s * (ra1 + s * (ra2 + s * (ra3 + s * (ra4 + s * (ra5 + s * (ra6 + s * ra7))))));
        S = 1 + s * (sa1 + s * (sa2 + s * (sa3 + s * (sa4 + s * (sa5 + s * (sa6 + s * (sa7 + s * sa8)))))));
      } else {
        if (x < -6) {
          out[i] = 2;
          continue;
        }
        R = rb0 + s * (rb1 + s * (rb2 + s * (rb3 + s * (rb4 + s * (rb5 + s * rb6)))));
        S = 1 + s * (sb1 + s * (sb2 + s * (sb3 + s * (sb4 + s * (sb5 + s * (sb6 + s * sb7))))));
      }
      // Split ax*ax into an exact high part and a small correction, as s_erf.c does with SET_LOW_WORD.
      const z = Math.fround(ax);
      const r = Math.exp(-z * z - 0.5625) * Math.exp((z - ax) * (z + ax) + R / S);
      out[i] = x > 0 ? r / ax : 2 - r / ax;
      continue;
    }
    out[i] = x > 0 ? 0 : 2;
  }
}

const SQRT1_2 = Math.SQRT1_2;
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** Standard normal CDF. */
export function ndtr(a: number): number {
  return 0.5 * erfc(-a * SQRT1_2);
}

/** log Phi(a), accurate for very negative a. */
export function logNdtr(a: number): number {
  if (a > 6) return -ndtr(-a);
  if (a > -20) return Math.log(ndtr(a));
  // Asymptotic series of the Mills ratio.
  const logLhs = -0.5 * a * a - Math.log(-a) - LOG_SQRT_2PI;
  let total = 1;
  let last = 0;
  let numerator = 1;
  let denominator = 1;
  const inv = 1 / (a * a);
  let sign = 1;
  for (let i = 1; i < 50 && Math.abs(last - total) > Number.EPSILON; i++) {
    last = total;
    sign = -sign;
    denominator *= inv;
    numerator *= 2 * i - 1;
    total += sign * numerator * denominator;
  }
  return logLhs + Math.log(total);
}

/** log(Phi(b) - Phi(a)) for a < b, working in whichever tail keeps precision. */
export function logGaussMass(a: number, b: number): number {
  if (b <= 0) return logDiff(logNdtr(b), logNdtr(a));
  if (a > 0) return logDiff(logNdtr(-a), logNdtr(-b));
  return Math.log1p(-ndtr(a) - ndtr(-b));
}

function logDiff(logP: number, logQ: number): number {
  if (logQ === -Infinity) return logP;
  return logP + Math.log1p(-Math.exp(logQ - logP));
}

/** log of the standard normal density. */
export function normLogPdf(z: number): number {
  return -0.5 * z * z - LOG_SQRT_2PI;
}

export { LOG_SQRT_2PI };
