"""Spanish, neutral Latin American (tú), following the glossary in GLOSSARY.md."""

from __future__ import annotations

from bot.texts.catalogue import Texts
from bot.texts.en import TEXTS as ENGLISH

TEXTS = Texts(
    command_start="Mensaje de bienvenida",
    command_help="Lo que este bot sabe hacer",
    command_persona="Ver o cambiar la persona (empieza una conversación nueva)",
    command_reset="Olvidar esta conversación y empezar de nuevo",
    command_language="Elegir el idioma en que hablo aquí",
    command_usage="Tu uso y presupuestos",
    command_image="Dibujar una imagen a partir de una descripción",
    bot_description=(
        "Un asistente de IA que recuerda: cada chat conmigo es una larga conversación. "
        "Cambia de persona con /persona, empieza de nuevo con /reset y agrégame a un grupo para "
        "conversar juntos (allí, mencióname o responde a uno de mis mensajes)."
    ),
    bot_short_description="Un asistente de IA que recuerda tu conversación.",
    start=(
        "¡Hola, {name}! Soy un asistente de IA. Cada chat conmigo es una larga conversación que "
        "recuerdo, así que simplemente sigue hablando.\n\n"
        "Persona actual: <b>{persona}</b>.\n"
        "/persona — cambiar de persona (esto empieza una conversación nueva)\n"
        "/reset — olvidar esta conversación y empezar de nuevo\n"
        "/help — lo que sé hacer"
    ),
    help=(
        "Escríbeme y te respondo; recuerdo todo lo dicho en este chat hasta que uses "
        "/reset.\n\n"
        "/persona — ver la persona actual y elegir otra\n"
        "/persona <i>nombre</i> — cambiar directamente, por ejemplo "
        "<code>/persona {example}</code>\n"
        "/reset — olvidar esta conversación y empezar de nuevo\n"
        "/language — elegir el idioma en que hablo aquí\n"
        "/usage — cuánto han costado tus respuestas, y tu presupuesto\n"
        "/help — este mensaje\n\n"
        "En grupos, mencióname (@{username}) o responde a uno de mis mensajes para hablar "
        "conmigo."
    ),
    someone="tú",
    not_allowed=(
        "Lo siento, este es un bot privado y no estás en su lista de usuarios permitidos.\n\n"
        "Tu id de usuario de Telegram es <code>{user_id}</code>. Si conoces a quien administra "
        "el bot, envíale este id: puede permitirte agregándolo a <code>ALLOWED_USERS</code>."
    ),
    group_not_allowed=(
        "Lo siento, soy un bot privado y este grupo no está en mi lista, así que me voy.\n\n"
        "El id del grupo es <code>{chat_id}</code>: quien administra el bot puede permitirlo "
        "agregándolo a <code>ALLOWED_CHATS</code>, o agregándome al grupo personalmente."
    ),
    group_welcome=(
        "¡Hola a todos! Menciónenme (@{username}) o respondan a uno de mis mensajes para hablar "
        "conmigo; recuerdo la conversación de este grupo hasta que un administrador use /reset."
    ),
    admins_only="Lo siento, solo los administradores del grupo pueden hacer eso.",
    reset_done="Listo: olvidé nuestra conversación. ¡Empecemos de nuevo!",
    reset_failed=(
        "Lo siento, no pude empezar una conversación nueva ahora. Vuelve a intentar /reset en "
        "un minuto."
    ),
    persona_current="Persona actual: <b>{title}</b> — {description}\n\nElige otra:",
    persona_chosen=(
        "Persona cambiada a <b>{title}</b> — {description}\nEmpecé una conversación nueva."
    ),
    persona_unknown="No conozco la persona “{name}”. Personas disponibles:\n{choices}",
    persona_choice="• <code>{name}</code> — {title}: {description}",
    persona_button="{title}",
    persona_button_current="✅ {title}",
    persona_button_stale="Ese menú está desactualizado: envía /persona de nuevo.",
    language_menu="Hablo <b>{language}</b> en este chat.\n\nElige otro idioma:",
    language_menu_automatic=(
        "Hablo <b>{language}</b> en este chat, elegido automáticamente.\n\nElige otro idioma:"
    ),
    language_chosen="Listo: hablaré español en este chat.",
    language_automatic=(
        "Listo: vuelvo a elegir el idioma automáticamente (por ahora: <b>{language}</b>)."
    ),
    language_unknown="No conozco el idioma “{name}”. Disponibles: {choices}.",
    language_button="{name}",
    language_button_current="✅ {name}",
    language_button_automatic="Automático",
    language_button_stale="Ese menú está desactualizado: envía /language de nuevo.",
    answer_empty="El modelo devolvió una respuesta vacía. Intenta reformular tu mensaje.",
    answer_incomplete="(La respuesta quedó incompleta: {reason}.)",
    incomplete_length="llegó al límite de longitud",
    incomplete_content_filter="el filtro de contenido la detuvo",
    incomplete_unknown="motivo desconocido",
    answer_failed="Lo siento, el modelo no pudo responder esta vez. Inténtalo de nuevo.",
    answer_cancelled="La respuesta se canceló.",
    answer_stopped="(Detenida.)",
    answer_tool_call=(
        "Lo siento, el modelo intentó usar una herramienta que este bot no ofrece, así que lo "
        "detuve. Quien administra el bot debería quitar las herramientas del asistente."
    ),
    answer_timed_out=(
        "Lo siento, el modelo tardó demasiado (más de {seconds} segundos), así que dejé de "
        "esperar. Inténtalo de nuevo, quizá con una pregunta más corta."
    ),
    answer_timed_out_note=(
        "(Lo siento, el modelo tardó demasiado (más de {seconds} segundos), así que dejé de "
        "esperar. Inténtalo de nuevo, quizá con una pregunta más corta.)"
    ),
    backend_unavailable=(
        "Lo siento, el servicio de IA no está disponible ahora. Inténtalo de nuevo en un minuto."
    ),
    backend_misconfigured=(
        "Lo siento, no puedo acceder al servicio de IA porque el bot está mal configurado. "
        "Quien administra el bot ya fue avisado en el registro del bot."
    ),
    quota_exhausted=(
        "Lo siento, se agotó el crédito de IA del bot, así que por ahora no puedo "
        "responder. Ya avisé al dueño; inténtalo más tarde."
    ),
    backend_rejected="Lo siento, el servicio de IA rechazó este mensaje. Intenta reformularlo.",
    history_lost=(
        "(Ya no encontré nuestra conversación anterior en el servicio de IA, "
        "así que empecé una nueva.)"
    ),
    unknown_command="No conozco ese comando. /help muestra lo que sé hacer.",
    empty_message="¿Sí? ¿Qué te gustaría preguntar?",
    storage_unavailable=(
        "Lo siento, no puedo recibir mensajes ahora (mi almacenamiento no está disponible). "
        "Inténtalo de nuevo en unos minutos."
    ),
    budget_user_day="tu presupuesto diario",
    budget_user_month="tu presupuesto mensual",
    budget_chat_day="el presupuesto diario de este chat",
    budget_chat_month="el presupuesto mensual de este chat",
    budget_total_day="el presupuesto diario del bot",
    budget_total_month="el presupuesto mensual del bot",
    budget_reached=(
        "Lo siento, se agotó {budget} ({limit}), así que no puedo responder ahora. Se "
        "renueva el {reset}."
    ),
    budget_warning="📊 {budget}: {percent} % usado ({spent} de {limit}).",
    usage_title_private="📊 <b>Tu uso</b>",
    usage_title_group="📊 <b>Uso de este chat</b>",
    usage_today="Hoy: {spent} · respuestas: {answers}",
    usage_month="Este mes: {spent} · respuestas: {answers}",
    usage_of="{spent} de {limit}",
    usage_yours="Tuyo: {day} hoy, {month} este mes",
    usage_conversation=(
        "Esta conversación tiene unos {tokens} tokens; cada mensaje los vuelve a leer. "
        "/reset empieza de cero."
    ),
    usage_conversation_budget=(
        "Esta conversación tiene unos {tokens} tokens y cada mensaje los vuelve a leer; pasados "
        "{budget}, la parte más antigua se resume para que las respuestas sigan siendo baratas. "
        "/reset empieza de cero."
    ),
    usage_tools="Tus herramientas este mes: {items}",
    usage_tool_item="{tool} {count}",
    usage_tool_images="🎨 imágenes",
    usage_tool_code="🧮 sesiones de código",
    usage_tool_searches="🔎 búsquedas web",
    usage_tool_file_searches="📚 búsquedas en documentos",
    usage_owners_only="Solo los dueños del bot pueden ver el uso de todos.",
    command_web="Tu chat, tu uso y tus ajustes en la web",
    web_off="Las páginas web no están activadas en este bot (su dueño configura WEB_LISTEN).",
    web_private_only="Envía /web en nuestro chat privado: el enlace para entrar es solo tuyo.",
    web_link=(
        "{link} — funciona una vez, durante diez minutos. No lo compartas: abre tu "
        "conversación. /web logout cierra todas tus sesiones."
    ),
    web_link_label="Entrar en las páginas web",
    web_open_button="Abrir",
    web_logged_out="Sesiones web cerradas ({count}).",
    let_in="Buenas noticias: el dueño de este bot te dio acceso. ¡Saluda!",
    retry_button="Reintentar",
    retry_stale="Ya no puedo reintentar ese mensaje: envíalo de nuevo, por favor.",
    unsupported_message=(
        "Lo siento, no puedo leer ese tipo de mensaje. Entiendo texto, fotos, mensajes de"
        " voz y archivos (PDF, texto, código, CSV)."
    ),
    voice_echo="🎤 <i>{transcript}</i>",
    voice_too_long="Ese mensaje de voz dura {duration}; puedo escuchar hasta {limit}.",
    voice_unavailable=(
        "Lo siento, no puedo escuchar mensajes de voz en este bot. Por favor, escribe tu mensaje."
    ),
    voice_not_understood=(
        "Lo siento, no pude entender esa grabación. ¿Puedes intentarlo de nuevo o escribirlo?"
    ),
    voice_silent="No pude oír ninguna palabra en esa grabación.",
    file_too_big="Ese archivo pesa {size} MB; leo archivos de hasta {limit} MB.",
    file_too_big_for_telegram=(
        "Ese archivo pesa {size} MB, y Telegram solo deja a los bots descargar archivos "
        "de hasta 20 MB."
    ),
    images_unavailable=(
        "Lo siento, aquí no puedo ver imágenes: el modelo de este bot no las lee. "
        "Descríbela con palabras y te ayudo."
    ),
    image_format_unsupported=(
        "No puedo leer imágenes {format}. Envíala como foto, o en JPEG, PNG o WEBP."
    ),
    image_unreadable="Lo siento, no pude leer esa imagen. Intenta enviarla de nuevo como foto.",
    pdf_unavailable=(
        "Lo siento, el modelo de este bot no lee archivos PDF. Pega el texto en un "
        "mensaje o envíalo como archivo .txt."
    ),
    documents_unavailable="Lo siento, la lectura de archivos está desactivada en este bot.",
    file_type_unsupported=(
        "Lo siento, no puedo leer {name}. Leo fotos, PDF y archivos de texto (txt, md, "
        "csv, json, código, logs…)."
    ),
    file_not_text="Lo siento, {name} no parece un archivo de texto que pueda leer.",
    file_truncated=(
        "(Leí los primeros {chars} caracteres de {name}: es más largo de lo que puedo "
        "leer de una vez.)"
    ),
    file_download_failed=(
        "Lo siento, no pude descargar ese archivo de Telegram. Por favor, envíalo de nuevo."
    ),
    sources="Fuentes",
    persona_tools="   🛠 {tools}",
    tool_code_interpreter="ejecuta código",
    tool_web_search="busca en la web",
    tool_image_generation="dibuja imágenes",
    tool_unavailable="{tool} (no disponible en este bot)",
    spreadsheet_needs_code=(
        "Solo puedo leer hojas de cálculo como {name} con una persona que ejecuta código:"
        " prueba /persona data_visualizer (o envíala como CSV)."
    ),
    spreadsheet_unreadable=(
        "Lo siento, no puedo abrir hojas de cálculo como {name} en este bot. Guárdala como CSV"
        " y envíala de nuevo: eso sí puedo leerlo."
    ),
    artifact_gone=("(Creé {name}, pero ya no está disponible: pídeme que lo cree de nuevo.)"),
    container_expired=(
        "(Mi entorno de ejecución de código caducó tras 20 minutos sin uso, así que los "
        "archivos que enviaste antes ya no están en él: envíalos de nuevo si quieres que "
        "trabaje con ellos.)"
    ),
    help_image=(
        "/image <i>descripción</i> — dibujo una imagen, por ejemplo <code>/image un faro al "
        "atardecer, acuarela</code>"
    ),
    image_prompt_missing=(
        "Dime qué debo dibujar, por ejemplo <code>/image un faro al atardecer, acuarela</code>"
    ),
    image_command_off="Dibujar con /image está desactivado en este bot.",
    image_generation_unavailable="Lo siento, el servicio de IA de este bot no dibuja imágenes.",
    image_refused=(
        "No pude dibujar eso: el servicio de imágenes rechazó la solicitud. Prueba a describirlo "
        "de otra forma."
    ),
    status_running_code="🧮 Ejecutando Python…",
    status_searching="🔎 Buscando en la web…",
    status_drawing="🎨 Dibujando…",
    status_asking="🔧 Consultando {server}…",
    status_reading="📚 Buscando en {library}…",
    persona_knowledge="   📚 {library} ({count} documentos)",
    knowledge_unavailable="   📚 {library} (no se puede buscar en este bot)",
    persona_functions="   🔧 {tools}",
    function_unreachable="{server} (no responde ahora)",
    confirm_call="🔧 ¿Puedo usar <b>{tool}</b> en {server}?\n<code>{arguments}</code>",
    confirm_yes="Sí",
    confirm_no="No",
    confirm_said_yes="✅ Sí",
    confirm_said_no="❌ No",
    confirm_stale="Esta pregunta ya no está abierta.",
    confirm_not_yours="Solo quien hizo la petición puede responder.",
    tool_failed="⚠️ {server} no pudo hacerlo ahora; responderé sin él.",
    learn_usage=(
        "Responde <code>/learn</code> a un documento para añadirlo al conocimiento de la "
        "persona de este chat."
    ),
    learn_owners_only="Solo los dueños del bot pueden añadir documentos.",
    learn_no_knowledge=(
        "La persona {persona} no tiene carpeta de conocimiento, así que no hay dónde poner {name}."
    ),
    learn_not_searchable=(
        "Los documentos de {persona} no se pueden buscar en este bot; añadir {name} no ayudaría."
    ),
    learn_unsupported=(
        "No puedo buscar en documentos como {name}: envía un PDF, Word, Markdown o texto."
    ),
    learn_failed="No pude descargar {name} de Telegram. Inténtalo de nuevo.",
    learn_added="📚 {name} se añadió a {library} ({count} documentos).",
    internal_error="Lo siento, algo salió mal de mi lado. Inténtalo de nuevo.",
    error_report=ENGLISH.error_report,  # for the owner: English in every catalogue
)
