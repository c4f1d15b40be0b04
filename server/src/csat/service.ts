// The CSAT module's public face: the lead routes sendSurvey by the customer's channel; others read the settings.
export { getCsatSettings, updateCsatSettings, scales, type CsatSettings, type CsatSettingsInput } from './settings.js'
export { sendSurvey, markSurveySent, type SurveyContext } from './service/send-survey.js'
export { armSurvey, openSurvey, fireSurvey, surveyTask, surveyKey } from './service/schedule-survey.js'
export { viewSurvey, answerSurvey, type PublicSurvey } from './service/answer-survey.js'
export { redactCommentsOfErasedCustomers } from './service/redact-comments.js'
export { csatStats, type StatsGroup, type CsatFigures, type CsatGroupFigures } from './service/stats.js'
export { surveyToken, surveyUrl, tokenHash } from './service/links.js'
