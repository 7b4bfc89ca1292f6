// Discern's page. Everything the server or the user's file sends is put into the page with textContent or as SVG
// attributes, never as markup: a file name or an error message cannot inject anything.
"use strict";

const TEXT = {
  en: {
    lead: "Drop a song or a video: Discern looks for the fingerprints that AI music generators leave in the sound, and shows you what it found.",
    dropTitle: "Analyse a file", dropHint: "Drag and drop an audio or video file here, or", choose: "Choose a file",
    uploading: "Uploading… {0} %", queued: "Waiting for a free analyser…", running: "Analysing the sound…",
    verdict_ai: "Probably made by an AI generator — {0} %", verdict_human: "Probably made by people — {0} % chance of AI",
    verdict_uncertain: "Uncertain — Discern cannot tell", verdict_uncertain_p: "Uncertain — {0} % chance of AI, not enough to decide",
    generator: "Likely generator family: {0}", noGenerator: "No generator family recognised.",
    combRarity: "{0} % of the human music the model learnt from has a less regular comb.",
    "reason_silent": "The audio is silent.",
    "reason_too-short": "The audio is too short: at least {neededSeconds} s of sound are needed, {foundSeconds} s were found.",
    "reason_band-limited": "The audio is too band-limited: it carries sound only up to {bandwidthHz} Hz, and the fingerprint is looked for above {bandLowHz} Hz.",
    "reason_unmeasured": "The audio could not be measured.",
    "reason_between-thresholds": "The probability {probability} lies between the thresholds for a human ({humanThreshold}) and an AI ({aiThreshold}) verdict.",
    "reason_decoder-grid": "The measurements the model weighs point to people, but the long-term spectrum has lines at exact multiples of {spacingHz} Hz = {sampleRateHz} Hz / {upsampling}, the frame rate of a neural decoder: the audio, or part of it, may have passed through one (a generator, a neural codec or effect), so it is not called human.",
    "reason_decoder-grid_shifted": "The measurements the model weighs point to people, but the long-term spectrum has lines at exact multiples of {spacingHz} Hz, the frame rate of a neural decoder ({sampleRateHz} Hz / {upsampling}) moved by {pitchShiftSemitones} semitone(s): the audio, or part of it, may have passed through one (a generator, a neural codec or effect) and then been pitch-shifted, so it is not called human.",
    "reason_narrow-band-for-ai": "The audio carries sound only up to {bandwidthHz} Hz, as old, lo-fi and low-bitrate recordings do; Discern calls audio AI only when it reaches {minimumHz} Hz, because below that most of the band where generators leave their fingerprint is missing.",
    "reason_out-of-training-range": "This audio is unlike what the model learnt from ({feature} = {value}, outside {low} to {high}): heavy processing, added noise or an unfamiliar kind of audio can do this, so the probability is not trusted.",
    weighedTitle: "What weighed", weighedHint: "The measurements the model weighs, and how far each moved this verdict: towards AI in red, towards people in green.",
    weighedNone: "Nothing could be weighed.", towardsAi: "towards AI", towardsHuman: "towards people",
    feature_detail_excess: "how much the spectrum's fine detail stands up in peaks rather than dips",
    feature_fine_structure_change_low: "how much the fine structure of the sound (its partials and resonances, 300 Hz–3 kHz) changes from one moment to the next",
    feature_fine_structure_drift_log_low: "how small the share of the fine structure of the sound (300 Hz–3 kHz) that holds over several seconds is; generators re-synthesise it with small errors, instruments hold it",
    feature_partial_prominence_log_excess_low: "how many times further than noise's the partials stand out of the sound around them (300 Hz–3 kHz); a fine structure that does not hold counts as evidence only where there are partials to hold",
    feature_partial_loss_low: "how many of the partials (300 Hz–3 kHz) of one moment are gone a fifth of a second later; an instrument holds its notes, a generator re-synthesises partials that come and go",
    feature_comb_harmonicity: "how regularly spaced the peaks of the song's long-term spectrum are (a comb of lines at a fixed spacing, repeating at twice and three times it), beyond the regularity music reaches by chance: the trace a neural decoder's upsampling layers leave",
    timelineTitle: "Along the song", timelineHint: "Each bar is a stretch of the audio; taller and redder means more AI-like. Select a bar to play from there.",
    segment: "{0}–{1}: {2}", segmentNone: "{0}–{1}: not enough sound to judge",
    spectrumTitle: "The fingerprint", spectrumHint: "How far the long-term spectrum stands above its smooth floor. Neural decoders leave evenly spaced spikes here; the marked ones are the strongest peaks found.",
    axisHz: "frequency (kHz)", axisDb: "dB above floor", peaks: "{0} peaks marked; most regular spacing {1} Hz (strength {2}).", noPeaks: "No marked peaks.",
    grid: "Lines at exact multiples of {0} Hz = {1} Hz / {2} (grid score {3}), ticked along the axis: the frame rate of a neural decoder that makes {2} samples per latent frame.",
    gridShifted: "Lines at exact multiples of {0} Hz (grid score {3}), ticked along the axis: the frame rate of a neural decoder that makes {2} samples per latent frame at {1} Hz, moved by {4} semitone(s) — the audio was pitch-shifted after it was decoded.", noSpectrum: "No spectrum (the audio was too short or too band-limited).",
    factsTitle: "The file", format: "Format", codec: "Codec", rate: "Sample rate", channels: "Channels", duration: "Duration", bandwidth: "Effective bandwidth", model: "Model",
    download: "Download the full report (JSON)", again: "Analyse another file",
    caveatTitle: "What this does not prove",
    caveat: "This is a probability from a statistical model, not a court ruling. Discern's accuracy on sources it was not trained on is still limited (see the project's published figures); re-encoding, pitch shifting or heavy mastering can hide or fake fingerprints, a steady electrical buzz looks like a decoder's comb of lines, and a human recording can be flagged.",
    contest: "To contest a verdict, keep the JSON report (it names the model and the evidence) and open an issue on the project's tracker with the file's origin; nothing you upload is kept after the analysis.",
    footer: "Discern — open-source detection of AI-generated music. Files are analysed on this server and deleted at once.",
    err_network: "The server could not be reached.", err_generic: "Something went wrong.",
    err_too_large: "The file is too large for this server.", err_unsupported_format: "This is not an audio or video file Discern can read.",
    err_no_audio_track: "This file has no audio track: a video saved without its sound?",
    err_corrupt: "The file is damaged or truncated and could not be decoded.", err_limit_exceeded: "The audio is longer, or has more channels, than this server accepts.",
    err_no_file: "No file was sent, or it was empty.", err_decoder_unavailable: "This format needs ffmpeg, which is not installed on the server.",
    err_busy: "The server is busy; try again in a few seconds.", err_rate_limited: "Too many uploads; wait a minute and try again.",
    err_not_found: "This analysis is no longer available.", err_cancelled: "The analysis was cancelled.", err_internal: "The analysis failed unexpectedly.",
  },
  fr: {
    lead: "Déposez une chanson ou une vidéo : Discern cherche les empreintes que laissent les générateurs de musique par IA dans le son, et vous montre ce qu'il a trouvé.",
    dropTitle: "Analyser un fichier", dropHint: "Glissez-déposez ici un fichier audio ou vidéo, ou", choose: "Choisir un fichier",
    uploading: "Envoi… {0} %", queued: "En attente d'un analyseur libre…", running: "Analyse du son…",
    verdict_ai: "Probablement créée par un générateur d'IA — {0} %", verdict_human: "Probablement créée par des humains — {0} % de probabilité d'IA",
    verdict_uncertain: "Incertain — Discern ne peut pas trancher", verdict_uncertain_p: "Incertain — {0} % de probabilité d'IA, pas assez pour trancher",
    generator: "Famille de générateur probable : {0}", noGenerator: "Aucune famille de générateur reconnue.",
    combRarity: "{0} % de la musique humaine dont le modèle a appris a un peigne moins régulier.",
    "reason_silent": "L'audio est silencieux.",
    "reason_too-short": "L'audio est trop court : il faut au moins {neededSeconds} s de son, {foundSeconds} s ont été trouvées.",
    "reason_band-limited": "La bande de l'audio est trop étroite : il ne contient du son que jusqu'à {bandwidthHz} Hz, et l'empreinte se cherche au-dessus de {bandLowHz} Hz.",
    "reason_unmeasured": "L'audio n'a pas pu être mesuré.",
    "reason_between-thresholds": "La probabilité {probability} se situe entre les seuils d'un verdict humain ({humanThreshold}) et IA ({aiThreshold}).",
    "reason_decoder-grid": "Les mesures que pèse le modèle désignent des humains, mais le spectre à long terme a des raies aux multiples exacts de {spacingHz} Hz = {sampleRateHz} Hz / {upsampling}, la cadence des trames d'un décodeur neuronal : l'audio, ou une partie, est peut-être passé par l'un d'eux (un générateur, un codec ou un effet neuronal), il n'est donc pas déclaré humain.",
    "reason_decoder-grid_shifted": "Les mesures que pèse le modèle désignent des humains, mais le spectre à long terme a des raies aux multiples exacts de {spacingHz} Hz, la cadence des trames d'un décodeur neuronal ({sampleRateHz} Hz / {upsampling}) déplacée de {pitchShiftSemitones} demi-ton(s) : l'audio, ou une partie, est peut-être passé par l'un d'eux (un générateur, un codec ou un effet neuronal) puis a été transposé, il n'est donc pas déclaré humain.",
    "reason_narrow-band-for-ai": "L'audio ne contient du son que jusqu'à {bandwidthHz} Hz, comme les enregistrements anciens, lo-fi ou à faible débit ; Discern ne qualifie un audio d'IA que s'il atteint {minimumHz} Hz, car en dessous manque l'essentiel de la bande où les générateurs laissent leur empreinte.",
    "reason_out-of-training-range": "Cet audio ne ressemble pas à ce que le modèle a appris ({feature} = {value}, hors de {low} à {high}) : un traitement lourd, du bruit ajouté ou un type d'audio inconnu peut en être la cause, la probabilité n'est donc pas fiable.",
    weighedTitle: "Ce qui a pesé", weighedHint: "Les mesures que le modèle pèse, et de combien chacune a déplacé ce verdict : vers l'IA en rouge, vers l'humain en vert.",
    weighedNone: "Rien n'a pu être pesé.", towardsAi: "vers l'IA", towardsHuman: "vers l'humain",
    feature_detail_excess: "à quel point le détail fin du spectre se dresse en pics plutôt qu'en creux",
    feature_fine_structure_change_low: "à quel point la structure fine du son (ses partiels et résonances, 300 Hz–3 kHz) change d'un instant à l'autre",
    feature_fine_structure_drift_log_low: "à quel point la part de la structure fine du son (300 Hz–3 kHz) qui se maintient sur plusieurs secondes est petite ; les générateurs la resynthétisent avec de petites erreurs, les instruments la tiennent",
    feature_partial_prominence_log_excess_low: "combien de fois plus que dans du bruit les partiels se détachent du son qui les entoure (300 Hz–3 kHz) ; une structure fine qui ne se maintient pas ne compte que là où il y a des partiels à maintenir",
    feature_partial_loss_low: "combien des partiels (300 Hz–3 kHz) d'un instant ont disparu un cinquième de seconde plus tard ; un instrument tient ses notes, un générateur resynthétise des partiels qui vont et viennent",
    feature_comb_harmonicity: "la régularité des pics du spectre moyen du morceau (un peigne de raies à espacement fixe, qui se répète au double et au triple), au-delà de ce que la musique atteint par hasard : la trace que laissent les couches de suréchantillonnage d'un décodeur neuronal",
    timelineTitle: "Au fil du morceau", timelineHint: "Chaque barre est un passage de l'audio ; plus elle est haute et rouge, plus il ressemble à de l'IA. Choisissez une barre pour écouter à partir de là.",
    segment: "{0}–{1} : {2}", segmentNone: "{0}–{1} : pas assez de son pour juger",
    spectrumTitle: "L'empreinte", spectrumHint: "De combien le spectre à long terme dépasse son plancher lissé. Les décodeurs neuronaux y laissent des pics régulièrement espacés ; les pics marqués sont les plus forts trouvés.",
    axisHz: "fréquence (kHz)", axisDb: "dB au-dessus du plancher", peaks: "{0} pics marqués ; espacement le plus régulier {1} Hz (force {2}).", noPeaks: "Aucun pic marqué.",
    grid: "Raies aux multiples exacts de {0} Hz = {1} Hz / {2} (score de grille {3}), repérées le long de l'axe : la cadence des trames d'un décodeur neuronal qui produit {2} échantillons par trame latente.",
    gridShifted: "Raies aux multiples exacts de {0} Hz (score de grille {3}), repérées le long de l'axe : la cadence des trames d'un décodeur neuronal qui produit {2} échantillons par trame latente à {1} Hz, déplacée de {4} demi-ton(s) — l'audio a été transposé après son décodage.", noSpectrum: "Pas de spectre (audio trop court ou bande trop étroite).",
    factsTitle: "Le fichier", format: "Format", codec: "Codec", rate: "Fréquence d'échantillonnage", channels: "Canaux", duration: "Durée", bandwidth: "Bande passante effective", model: "Modèle",
    download: "Télécharger le rapport complet (JSON)", again: "Analyser un autre fichier",
    caveatTitle: "Ce que cela ne prouve pas",
    caveat: "C'est une probabilité donnée par un modèle statistique, pas un jugement. La précision de Discern sur des sources qu'il n'a pas apprises reste limitée (voir les chiffres publiés du projet) ; un réencodage, un changement de hauteur ou un mastering poussé peuvent masquer ou imiter des empreintes, un ronflement électrique régulier ressemble au peigne de raies d'un décodeur, et un enregistrement humain peut être signalé.",
    contest: "Pour contester un verdict, gardez le rapport JSON (il nomme le modèle et les indices) et ouvrez un ticket sur le suivi du projet en indiquant l'origine du fichier ; rien de ce que vous envoyez n'est conservé après l'analyse.",
    footer: "Discern — détection libre de la musique générée par IA. Les fichiers sont analysés sur ce serveur puis supprimés aussitôt.",
    err_network: "Le serveur est injoignable.", err_generic: "Une erreur s'est produite.",
    err_too_large: "Le fichier est trop volumineux pour ce serveur.", err_unsupported_format: "Ce n'est pas un fichier audio ou vidéo que Discern sait lire.",
    err_no_audio_track: "Ce fichier n'a pas de piste audio : une vidéo enregistrée sans son ?",
    err_corrupt: "Le fichier est endommagé ou tronqué : impossible de le décoder.", err_limit_exceeded: "L'audio est plus long, ou a plus de canaux, que ce serveur n'accepte.",
    err_no_file: "Aucun fichier n'a été envoyé, ou il était vide.", err_decoder_unavailable: "Ce format nécessite ffmpeg, qui n'est pas installé sur le serveur.",
    err_busy: "Le serveur est occupé ; réessayez dans quelques secondes.", err_rate_limited: "Trop d'envois ; attendez une minute puis réessayez.",
    err_not_found: "Cette analyse n'est plus disponible.", err_cancelled: "L'analyse a été annulée.", err_internal: "L'analyse a échoué de façon inattendue.",
  },
};

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
let lang = pickLanguage();
let current = null;      // last finished analysis resource
let mediaUrl = null;     // object URL of the user's own file, for the player

function pickLanguage() {
  const saved = localStorage.getItem("discern-lang");
  if (saved === "en" || saved === "fr") return saved;
  for (const l of navigator.languages || [navigator.language || "en"]) {
    if (l.toLowerCase().startsWith("fr")) return "fr";
    if (l.toLowerCase().startsWith("en")) return "en";
  }
  return "en";
}

function t(key, ...args) {
  const s = (TEXT[lang] && TEXT[lang][key]) || TEXT.en[key] || key;
  return s.replace(/\{(\d)\}/g, (_, i) => String(args[Number(i)]));
}

// A reason arrives with a stable code and invariant-culture values: say it in the page's language, numbers as its reader writes them.
function reasonText(r) {
  // A decoder's grid found only after a pitch shift has its own sentence.
  const shifted = r.values && r.values.pitchShiftSemitones && r.values.pitchShiftSemitones !== "0";
  const key = "reason_" + r.code + (shifted && TEXT.en["reason_" + r.code + "_shifted"] ? "_shifted" : "");
  const template = (TEXT[lang] && TEXT[lang][key]) || (lang === "en" ? null : TEXT.en[key]);
  if (!template) return r.message;
  return template.replace(/\{(\w+)\}/g, (_, name) => {
    const raw = r.values ? r.values[name] : undefined;
    if (raw === undefined) return "";
    if (name === "feature") return featureText(raw);
    const n = Number(raw);
    return raw !== "" && Number.isFinite(n) ? new Intl.NumberFormat(lang, { maximumFractionDigits: 3 }).format(n) : String(raw);
  });
}

function featureText(name) {
  const key = "feature_" + name;
  return (TEXT[lang] && TEXT[lang][key]) || TEXT.en[key] || name;
}

function fmtNumber(x, digits) { return new Intl.NumberFormat(lang, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(x); }
function fmtTime(s) { const m = Math.floor(s / 60); const r = Math.floor(s % 60); return `${m}:${String(r).padStart(2, "0")}`; }

function setLanguage(next) {
  lang = next;
  localStorage.setItem("discern-lang", next);
  document.documentElement.lang = next;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const b of document.querySelectorAll(".lang button")) b.setAttribute("aria-pressed", String(b.dataset.lang === next));
  document.title = next === "fr" ? "Discern — musique IA ou humaine ?" : "Discern — AI or human music?";
  if (current) render(current);
}

function show(id, visible) { $(id).hidden = !visible; }

function showError(code, detail) {
  show("progress", false);
  const box = $("error");
  box.textContent = "";
  const p = document.createElement("p");
  p.textContent = TEXT[lang]["err_" + code] ? t("err_" + code) : t("err_generic");
  box.append(p);
  if (detail) { const d = document.createElement("p"); d.className = "hint"; d.textContent = detail; box.append(d); }
  show("error", true);
  show("drop", true);
}

function progress(label, percent) {
  show("progress", true);
  $("progress-label").textContent = label;
  const bar = $("progress-bar");
  if (percent === null) bar.removeAttribute("value"); else bar.value = percent;
}

function upload(file) {
  current = null;
  show("error", false); show("result", false); show("drop", false);
  if (mediaUrl) URL.revokeObjectURL(mediaUrl);
  mediaUrl = URL.createObjectURL(file);
  const form = new FormData();
  form.append("file", file, file.name);
  const xhr = new XMLHttpRequest();
  xhr.open("POST", "/api/v1/analyses");
  xhr.setRequestHeader("Accept-Language", lang);
  xhr.upload.onprogress = (e) => { if (e.lengthComputable) progress(t("uploading", Math.round(100 * e.loaded / e.total)), 100 * e.loaded / e.total); };
  xhr.onerror = () => showError("network");
  xhr.onload = () => {
    let body = null;
    try { body = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
    if (xhr.status === 202 || xhr.status === 200) poll(body.id);
    else showError(body && body.code, body && body.detail);
  };
  progress(t("uploading", 0), 0);
  xhr.send(form);
}

async function poll(id) {
  for (;;) {
    let response;
    try { response = await fetch(`/api/v1/analyses/${encodeURIComponent(id)}`, { headers: { "Accept-Language": lang } }); }
    catch { showError("network"); return; }
    const body = await response.json().catch(() => null);
    if (!response.ok) { showError(body && body.code, body && body.detail); return; }
    if (body.status === "done") { current = body; show("progress", false); render(body); return; }
    if (body.status === "failed") { showError(body.errorCode, body.result && body.result.error); return; }
    progress(body.status === "queued" ? t("queued") : t("running"), null);
    await new Promise((r) => setTimeout(r, 400));
  }
}

function colour(p) {
  // Green (human) to amber to red (AI).
  const hue = 160 - 160 * Math.max(0, Math.min(1, p));
  return `hsl(${hue}, 70%, 42%)`;
}

function render(resource) {
  const report = resource.result;
  const v = report.evidence;
  const pct = v.probabilityAi == null ? null : Math.round(100 * v.probabilityAi);
  const verdict = $("verdict");
  verdict.className = "verdict " + report.verdict;
  verdict.textContent = report.verdict === "uncertain"
    ? (pct == null ? t("verdict_uncertain") : t("verdict_uncertain_p", pct))
    : t("verdict_" + report.verdict, pct);
  $("generator").textContent = v.generator
    ? t("generator", v.generator.family) + " — " + v.generator.explanation
      + (v.generator.confidence != null ? " " + t("combRarity", Math.round(v.generator.confidence * 100)) : "")
    : t("noGenerator");
  $("reasons").textContent = (v.reasons || []).map(reasonText).join(" ");

  renderWeighed(v);
  renderPlayer(resource);
  renderTimeline(v);
  renderSpectrum(v);
  renderFacts(v);
  show("result", true);
  show("drop", true);
}

// The model's weights are kept non-negative, so a contribution's sign says on which side of the training clips' mean
// the measurement lies: each line says what was measured and which way it pushed, strongest first.
function renderWeighed(v) {
  const list = $("weighed");
  list.replaceChildren();
  const pushes = Object.entries(v.contributions || {}).filter(([, c]) => Math.abs(c) >= 0.005).sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]));
  for (const [name, c] of pushes) {
    const item = document.createElement("li");
    item.className = c > 0 ? "ai" : "human";
    item.textContent = `${featureText(name)} — ${t(c > 0 ? "towardsAi" : "towardsHuman")} (${fmtNumber(Math.abs(c), 2)})`;
    list.append(item);
  }
  if (pushes.length === 0) {
    const item = document.createElement("li");
    item.textContent = t("weighedNone");
    list.append(item);
  }
}

function renderPlayer(resource) {
  const holder = $("player");
  holder.textContent = "";
  if (!mediaUrl) return;
  const isVideo = /\.(mp4|m4v|mov|webm|mkv)$/i.test(resource.fileName);
  const el = document.createElement(isVideo ? "video" : "audio");
  el.controls = true; el.src = mediaUrl; el.id = "media"; el.preload = "metadata";
  holder.append(el);
}

function renderTimeline(v) {
  const box = $("timeline");
  box.textContent = "";
  for (const s of v.segments || []) {
    const b = document.createElement("button");
    b.type = "button"; b.className = "seg";
    const range = [fmtTime(s.startSeconds), fmtTime(s.endSeconds)];
    if (s.probabilityAi == null) { b.classList.add("none"); b.style.height = "20%"; b.setAttribute("aria-label", t("segmentNone", ...range)); }
    else {
      b.style.height = `${Math.max(8, 100 * s.probabilityAi)}%`;
      b.style.background = colour(s.probabilityAi);
      b.setAttribute("aria-label", t("segment", ...range, `${Math.round(100 * s.probabilityAi)} %`));
    }
    b.title = b.getAttribute("aria-label");
    b.addEventListener("click", () => { const m = $("media"); if (m) { m.currentTime = s.startSeconds; m.play().catch(() => {}); } });
    box.append(b);
  }
}

function svg(name, attrs, parent) {
  const el = document.createElementNS(SVG, name);
  for (const [k, val] of Object.entries(attrs)) el.setAttribute(k, String(val));
  if (parent) parent.append(el);
  return el;
}

function renderSpectrum(v) {
  const holder = $("spectrum");
  holder.textContent = "";
  const spec = v.spectrum;
  if (!spec || !spec.residualDb || spec.residualDb.length < 2) { $("peaks").textContent = t("noSpectrum"); return; }
  const W = 800, H = 260, L = 48, R = 10, T = 10, B = 40;
  const values = spec.residualDb, n = values.length;
  const f0 = spec.firstBinHz, f1 = spec.firstBinHz + spec.binHz * (n - 1);
  const yMax = Math.max(5, ...values);
  const x = (f) => L + (W - L - R) * (f - f0) / (f1 - f0);
  const y = (d) => T + (H - T - B) * (1 - Math.max(0, d) / yMax);
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": t("spectrumTitle") }, holder);
  svg("title", {}, root).textContent = t("spectrumHint");
  // Axes and ticks.
  svg("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: "#5c6670" }, root);
  svg("line", { x1: L, y1: T, x2: L, y2: H - B, stroke: "#5c6670" }, root);
  for (let k = Math.ceil(f0 / 1000); k <= Math.floor(f1 / 1000); k++) {
    svg("line", { x1: x(k * 1000), y1: H - B, x2: x(k * 1000), y2: H - B + 5, stroke: "#5c6670" }, root);
    svg("text", { x: x(k * 1000), y: H - B + 18, "text-anchor": "middle", "font-size": 12, fill: "#5c6670" }, root).textContent = String(k);
  }
  for (let d = 0; d <= yMax; d += 1) {
    svg("text", { x: L - 6, y: y(d) + 4, "text-anchor": "end", "font-size": 12, fill: "#5c6670" }, root).textContent = String(d);
  }
  svg("text", { x: (L + W - R) / 2, y: H - 4, "text-anchor": "middle", "font-size": 12, fill: "#1b1f24" }, root).textContent = t("axisHz");
  svg("text", { x: 12, y: (T + H - B) / 2, "text-anchor": "middle", "font-size": 12, fill: "#1b1f24", transform: `rotate(-90 12 ${(T + H - B) / 2})` }, root).textContent = t("axisDb");
  // The residual, decimated to at most one point per pixel column (max of each column keeps peaks visible).
  const columns = Math.min(n, W - L - R);
  let path = "";
  for (let c = 0; c < columns; c++) {
    const a = Math.floor(c * n / columns), b = Math.max(a + 1, Math.floor((c + 1) * n / columns));
    let m = 0; for (let i = a; i < b; i++) m = Math.max(m, values[i]);
    path += `${c === 0 ? "M" : "L"}${(L + c * (W - L - R) / columns).toFixed(1)},${y(m).toFixed(1)}`;
  }
  svg("path", { d: path, fill: "none", stroke: "#1d3557", "stroke-width": 1, class: "residual" }, root);
  // Peaks.
  const peaks = (v.peaks || []).filter((p) => p.frequencyHz >= f0 && p.frequencyHz <= f1);
  for (const p of peaks) {
    const g = svg("g", { class: "peak" }, root);
    svg("circle", { cx: x(p.frequencyHz), cy: y(p.prominenceDb), r: 4, fill: "none", stroke: "#c1121f", "stroke-width": 2 }, g);
    svg("title", {}, g).textContent = `${fmtNumber(p.frequencyHz, 0)} Hz, +${fmtNumber(p.prominenceDb, 1)} dB`;
  }
  // A decoder's exact grid: a tick at each of its lines, along the frequency axis.
  const grid = v.grid;
  const gridShown = v.decoderGridFound === true && grid && grid.spacingHz > 0;
  if (gridShown) {
    const ticks = svg("g", { class: "grid-line" }, root);
    for (let k = Math.ceil(f0 / grid.spacingHz); k * grid.spacingHz <= f1; k++) {
      svg("line", { x1: x(k * grid.spacingHz), y1: H - B, x2: x(k * grid.spacingHz), y2: H - B - 6, stroke: "#c1121f", "stroke-width": 1 }, ticks);
    }
  }
  $("peaks").textContent = (peaks.length
    ? t("peaks", peaks.length, fmtNumber(v.comb.spacingHz, 1), fmtNumber(v.comb.strength, 2))
    : t("noPeaks"))
    + (gridShown ? " " + t(grid.pitchShiftSemitones ? "gridShifted" : "grid", fmtNumber(grid.spacingHz, 2), fmtNumber(grid.sampleRateHz, 0), grid.upsampling,
      fmtNumber(grid.score, 1), (grid.pitchShiftSemitones > 0 ? "+" : "") + fmtNumber(grid.pitchShiftSemitones, 0)) : "");
}

function renderFacts(v) {
  const body = $("facts").tBodies[0];
  body.textContent = "";
  const i = v.input;
  const rows = [
    ["format", i.format], ["codec", i.codec], ["rate", `${fmtNumber(i.sampleRateHz, 0)} Hz`], ["channels", String(i.channels)],
    ["duration", fmtTime(i.durationSeconds)], ["bandwidth", `${fmtNumber(i.effectiveBandwidthHz / 1000, 1)} kHz`],
    ["model", `${v.model.modelId} / ${v.model.featureConfigId} / ${v.model.discernVersion}`],
  ];
  for (const [key, value] of rows) {
    const tr = document.createElement("tr");
    const th = document.createElement("th"); th.scope = "row"; th.textContent = t(key);
    const td = document.createElement("td"); td.textContent = value;
    tr.append(th, td); body.append(tr);
  }
}

function download() {
  if (!current) return;
  const blob = new Blob([JSON.stringify(current, null, 2)], { type: "application/json" });
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = `discern-${current.id}.json`;
  document.body.append(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

document.addEventListener("DOMContentLoaded", () => {
  setLanguage(lang);
  for (const b of document.querySelectorAll(".lang button")) b.addEventListener("click", () => setLanguage(b.dataset.lang));
  $("file").addEventListener("change", (e) => { const f = e.target.files[0]; if (f) upload(f); e.target.value = ""; });
  const drop = $("drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); const f = e.dataTransfer.files[0]; if (f) upload(f); });
  $("download").addEventListener("click", download);
  $("again").addEventListener("click", () => { show("result", false); current = null; $("file").click(); });
});
