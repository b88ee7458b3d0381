#include "core/eligibility/result.hpp"

namespace kiosk::core::eligibility {

std::string_view label(QualificationValidity v) {
  switch (v) {
    case QualificationValidity::Valid: return "有効";
    case QualificationValidity::Invalid: return "無効";
    case QualificationValidity::InvalidNewerQualification: return "無効（新しい資格あり）";
    case QualificationValidity::NoQualification: return "該当資格なし";
    case QualificationValidity::MultipleMatches: return "複数該当";
    case QualificationValidity::ValidUnregistered: return "有効（未登録）";
  }
  return "不明";
}

std::string_view to_string(ConfirmationMethod m) {
  switch (m) {
    case ConfirmationMethod::Pin: return "pin";
    case ConfirmationMethod::Face: return "face";
    case ConfirmationMethod::Visual: return "visual";
    case ConfirmationMethod::Numbers: return "numbers";
  }
  return "unknown";
}

std::string_view to_string(PresentedDocument d) {
  switch (d) {
    case PresentedDocument::EligibilityCertificate: return "eligibility-certificate";
    case PresentedDocument::HealthInsuranceCard: return "health-insurance-card";
    case PresentedDocument::QualificationNotice: return "qualification-notice";
  }
  return "unknown";
}

std::string_view to_string(CardCertificateState s) {
  switch (s) {
    case CardCertificateState::Valid: return "valid";
    case CardCertificateState::ExpiringSoon: return "expiring-soon";
    case CardCertificateState::ExpiredInGrace: return "expired-in-grace";
  }
  return "unknown";
}

}  // namespace kiosk::core::eligibility
