// What every instance of the GUI needs before its first widget: the compiled-in icons and the
// translations for a locale (the system's in the app, a chosen one in tests).
#pragma once

#include <QLocale>

class QCoreApplication;

namespace peertun {

// Loads the icons and installs the app's and Qt's translations for `locale`. Returns false
// if there is no translation for it (the app then stays in English).
bool setUpApplication(QCoreApplication& app, const QLocale& locale);

} // namespace peertun
